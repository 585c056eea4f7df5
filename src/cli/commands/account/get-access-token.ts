import { RESOURCES } from "../../../client/token-client.ts";
import { command } from "../../command.ts";
import { requireCloud, selectAccount, tokenFor } from "../../session.ts";

export const options = {
  resource: { type: "string", help: "Azure resource endpoints; default: ARM (https://management.core.windows.net/)." },
  "resource-type": { type: "string", help: "Type of well-known resource.", choices: ["arm", "ms-graph", "cognitive-services"] },
  name: { type: "string", short: "n", help: "Name or ID of subscription." },
} as const;

const TYPES: Record<string, string> = { arm: RESOURCES.arm, "ms-graph": RESOURCES.graph, "cognitive-services": RESOURCES.cognitive };

export const spec = command({
  path: ["account", "get-access-token"],
  summary: "Get a token for utilities to access the server.",
  options,
  examples: [
    {
      text: "Get a token for the data plane.",
      command: "keyless account get-access-token --resource https://cognitiveservices.azure.com --query accessToken -o tsv",
    },
  ],
  async run(opts, ctx) {
    const cloud = requireCloud(ctx.profile);
    const account = selectAccount(ctx.profile, cloud, opts.name);
    const resource = opts.resource ?? (opts["resource-type"] ? TYPES[opts["resource-type"]]! : RESOURCES.arm);
    const accessToken = await tokenFor(ctx.profile, ctx.transport(), cloud, account.user.name, resource, ctx.io.env);
    const expiresOn = ctx.profile.credential(cloud.name, account.user.name)!.tokens[resource]!.expiresOn;
    return {
      accessToken,
      expiresOn: new Date(expiresOn * 1000).toISOString().replace("T", " ").slice(0, 26),
      expires_on: expiresOn,
      subscription: account.id,
      tenant: account.tenantId,
      tokenType: "Bearer",
    };
  },
});
