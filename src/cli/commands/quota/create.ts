import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "quota-name": { type: "string", required: true, help: "A name for the quota (letters, digits, '.', '_', '-')." },
  principal: {
    type: "string",
    required: true,
    help: "Object id of the user, group (one budget shared by its members) or service principal.",
  },
  deployment: { type: "string", help: "The deployment the quota holds on; '*' (default) for all the account's deployments together." },
  tokens: { type: "string", required: true, help: "Tokens (prompt + completion) the principal may spend per period." },
  period: { type: "string", help: "The window, aligned to UTC (default P1D).", choices: ["PT1M", "PT1H", "P1D", "P7D", "P30D"] },
} as const;

export const spec = command({
  path: ["quota", "create"],
  summary:
    "Create or update a principal's token quota on an account's deployment (a Keyless extension; refused calls get 403 QuotaExceeded).",
  options,
  examples: [
    {
      text: "100,000 tokens a day for one service principal on the chat deployment.",
      command: "keyless quota create -n acct1 -g rg-ai --quota-name team-a --principal <object-id> --deployment chat --tokens 100000",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = `${accountPath(subscriptionId, opts["resource-group"], opts.name)}/principalQuotas/${encodeURIComponent(opts["quota-name"])}`;
    const body = {
      properties: {
        principalId: opts.principal,
        deployment: opts.deployment ?? "*",
        tokens: Number(opts.tokens),
        period: opts.period ?? "P1D",
      },
    };
    return (await client.arm("PUT", path, { query: { "api-version": API_VERSIONS.cognitive }, body })).body;
  },
});
