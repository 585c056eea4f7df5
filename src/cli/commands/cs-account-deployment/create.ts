import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { awaitArmOperation, deploymentPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "deployment-name": { type: "string", required: true, help: "The deployment name." },
  "model-name": { type: "string", required: true, help: "The model name, e.g. gpt-4o-mini." },
  "model-version": { type: "string", required: true, help: "The model version." },
  "model-format": { type: "string", required: true, help: "The model format (provider), e.g. OpenAI." },
  "scale-settings-scale-type": { type: "string", help: "Scale type (az 2.45 syntax).", choices: ["Standard", "Manual"] },
  "scale-settings-capacity": { type: "string", help: "Capacity for Manual scale." },
  "sku-name": { type: "string", help: "SKU name (newer az syntax), e.g. GlobalStandard." },
  "sku-capacity": { type: "string", help: "SKU capacity (newer az syntax)." },
  "rai-policy-name": { type: "string", help: "The content-filtering policy (default Microsoft.DefaultV2); not in az 2.45." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "deployment", "create"],
  summary: "Deploy a model to an account.",
  options,
  examples: [
    {
      text: "Deploy a model (az 2.45 syntax).",
      command:
        "keyless cognitiveservices account deployment create -n acct1 -g rg-ai --deployment-name chat --model-name keyless-echo --model-version 1 --model-format Keyless --scale-settings-scale-type Standard",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = deploymentPath(subscriptionId, opts["resource-group"], opts.name, opts["deployment-name"]);
    const scaleSettings = opts["scale-settings-scale-type"]
      ? {
          scaleType: opts["scale-settings-scale-type"],
          ...(opts["scale-settings-capacity"] ? { capacity: Number(opts["scale-settings-capacity"]) } : {}),
        }
      : undefined;
    const sku = opts["sku-name"]
      ? { name: opts["sku-name"], ...(opts["sku-capacity"] ? { capacity: Number(opts["sku-capacity"]) } : {}) }
      : undefined;
    const response = await client.arm("PUT", path, {
      query: { "api-version": API_VERSIONS.cognitive },
      body: {
        ...(sku ? { sku } : {}),
        properties: {
          model: { format: opts["model-format"], name: opts["model-name"], version: opts["model-version"] },
          ...(scaleSettings ? { scaleSettings } : {}),
          ...(opts["rai-policy-name"] ? { raiPolicyName: opts["rai-policy-name"] } : {}),
        },
      },
    });
    return awaitArmOperation(ctx, client, response, path, API_VERSIONS.cognitive);
  },
});
