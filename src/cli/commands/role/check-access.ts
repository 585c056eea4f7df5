import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { scopeOf } from "../../arm-paths.ts";
import { resolveAssignee } from "../../assignee.ts";
import { UsageError } from "../../cli-error.ts";
import { command } from "../../command.ts";

export const options = {
  assignee: { type: "string", help: "Whose access to check (UPN, service principal name or object id); default: yours." },
  action: { type: "string", help: "A control-plane action, e.g. Microsoft.CognitiveServices/accounts/read." },
  "data-action": { type: "string", help: "A data action, e.g. Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action." },
  scope: { type: "string", help: "Scope; default: the subscription, or -g's group." },
  "resource-group": { type: "string", short: "g", help: "Use the resource group as the scope." },
} as const;

export const spec = command({
  path: ["role", "check-access"],
  summary: "Explain whether a principal may perform an action at a scope: the decision, the assignment or what is missing.",
  options,
  examples: [
    {
      text: "May this app call chat completions on the account?",
      command:
        "keyless role check-access --assignee $APP_ID --data-action Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action --scope $ACCOUNT_ID",
    },
  ],
  async run(opts, ctx) {
    if ((opts.action === undefined) === (opts["data-action"] === undefined))
      throw new UsageError("Give exactly one of --action or --data-action.");
    const { client, subscriptionId } = await ctx.client();
    const scope = scopeOf(subscriptionId, opts.scope, opts["resource-group"]);
    const principalId = opts.assignee ? (await resolveAssignee(client, opts.assignee)).id : undefined;
    const { body } = await client.arm("POST", `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/checkAccess`, {
      query: { "api-version": API_VERSIONS.roleAssignments },
      body: { ...(principalId ? { principalId } : {}), ...(opts.action ? { action: opts.action } : { dataAction: opts["data-action"] }) },
    });
    return body;
  },
});
