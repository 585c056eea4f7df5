import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { scopeOf } from "../../arm-paths.ts";
import { CliError, UsageError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import { listAssignments } from "./list.ts";

export const options = {
  ids: { type: "string", multiple: true, help: "Full ids of assignments to delete; no other arguments are needed." },
  assignee: { type: "string", help: "The principal (UPN, service principal name or object id)." },
  role: { type: "string", help: "Role name or id." },
  scope: { type: "string", help: "Scope; default: the subscription, or -g's group." },
  "resource-group": { type: "string", short: "g", help: "Use the resource group as the scope." },
} as const;

export const spec = command({
  path: ["role", "assignment", "delete"],
  summary: "Delete role assignments.",
  options,
  examples: [
    {
      text: "Take a role away from a user at an account.",
      command: 'keyless role assignment delete --assignee $OID --role "Cognitive Services User" --scope $ACCOUNT_ID',
    },
    { text: "Delete by id.", command: "keyless role assignment delete --ids $ASSIGNMENT_ID" },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    let ids = opts.ids ?? [];
    if (ids.length === 0) {
      if (!opts.assignee && !opts.role)
        throw new UsageError("Give --ids, or --assignee and/or --role (with --scope or -g) to say which assignments to delete.");
      const scope = scopeOf(subscriptionId, opts.scope, opts["resource-group"]);
      ids = (await listAssignments(client, subscriptionId, scope, { assignee: opts.assignee, role: opts.role })).map((a) => a.id);
      if (ids.length === 0) throw new CliError("No matched assignments were found to delete", { code: "NoMatchedAssignments" });
    }
    for (const id of ids) await client.arm("DELETE", id, { query: { "api-version": API_VERSIONS.roleAssignments } });
    return undefined;
  },
});
