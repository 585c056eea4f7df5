import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath, awaitArmOperation, parseTags } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "./options.ts";

export const options = {
  ...accountOptions,
  kind: { type: "string", required: true, help: "The API kind, e.g. AIServices or OpenAI." },
  sku: { type: "string", required: true, help: "The SKU name, e.g. S0." },
  location: { type: "string", short: "l", required: true, help: "Location, e.g. eastus." },
  "custom-domain": { type: "string", help: "Custom subdomain name of the account." },
  "disable-local-auth": { type: "boolean", help: "Refuse API keys: only Entra tokens are accepted (keyless)." },
  tags: { type: "string", multiple: true, help: "Tags: key[=value]." },
  yes: { type: "boolean", help: "Do not prompt for terms confirmation." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "create"],
  summary: "Create a Cognitive Services account.",
  options,
  examples: [
    {
      text: "A keyless AIServices account.",
      command: "keyless cognitiveservices account create -n acct1 -g rg-ai --kind AIServices --sku S0 -l eastus --disable-local-auth --yes",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = accountPath(subscriptionId, opts["resource-group"], opts.name);
    const tags = parseTags(opts.tags);
    const properties = {
      ...(opts["custom-domain"] ? { customSubDomainName: opts["custom-domain"] } : {}),
      ...(opts["disable-local-auth"] ? { disableLocalAuth: true } : {}),
    };
    const response = await client.arm("PUT", path, {
      query: { "api-version": API_VERSIONS.cognitive },
      body: { kind: opts.kind, sku: { name: opts.sku }, location: opts.location, properties, ...(tags ? { tags } : {}) },
    });
    return awaitArmOperation(ctx, client, response, path, API_VERSIONS.cognitive);
  },
});
