import { API_VERSIONS, type KeylessClient } from "../../../client/keyless-client.ts";
import { resourceGroupPath } from "../../arm-paths.ts";
import { UsageError } from "../../cli-error.ts";
import { command } from "../../command.ts";

export const options = {
  ids: { type: "string", help: "A full resource id; no other resource arguments are needed." },
  "resource-group": { type: "string", short: "g", help: "Name of the resource group." },
  name: { type: "string", short: "n", help: "The resource name." },
  "resource-type": { type: "string", help: "The resource type, e.g. Microsoft.CognitiveServices/accounts." },
  namespace: { type: "string", help: "Provider namespace, when --resource-type has none." },
  parent: { type: "string", help: "The parent path, e.g. accounts/acct1 for a deployment." },
  "api-version": { type: "string", help: "The API version; default: the provider's newest non-preview version." },
} as const;

/** The api-version az picks: the first non-preview entry of the provider's list for the type (newest first). */
export async function pickApiVersion(client: KeylessClient, subscriptionId: string, namespace: string, type: string): Promise<string> {
  const { body } = await client.arm("GET", `/subscriptions/${subscriptionId}/providers/${namespace}`, {
    query: { "api-version": API_VERSIONS.resources },
  });
  const types = (body as { resourceTypes?: { resourceType: string; apiVersions: string[] }[] }).resourceTypes ?? [];
  const versions = types.find((t) => t.resourceType.toLowerCase() === type.toLowerCase())?.apiVersions ?? [];
  const chosen = versions.find((v) => !v.includes("preview")) ?? versions[0];
  if (!chosen) throw new UsageError(`The provider ${namespace} has no resource type '${type}'. Check --resource-type.`);
  return chosen;
}

/** `Namespace/type[/subtype]` from an id's provider segment, for api-version resolution. */
function typeFromId(id: string): { namespace: string; type: string } {
  const parts = id.split("/").filter((p) => p !== "");
  const at = parts.map((p) => p.toLowerCase()).lastIndexOf("providers");
  const namespace = parts[at + 1]!;
  const typeParts = parts.slice(at + 2).filter((_, i) => i % 2 === 0);
  return { namespace, type: typeParts.join("/") };
}

export const spec = command({
  path: ["resource", "show"],
  summary: "Get the details of a resource.",
  options,
  examples: [
    {
      text: "The id of a Cognitive Services account, as the walkthrough uses it.",
      command: "keyless resource show -g rg-ai -n acct1 --resource-type Microsoft.CognitiveServices/accounts --query id --output tsv",
    },
    {
      text: "A resource by id.",
      command: "keyless resource show --ids /subscriptions/S/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/acct1",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    let path: string;
    if (opts.ids) path = opts.ids;
    else {
      if (!opts["resource-group"] || !opts.name || !opts["resource-type"]) {
        throw new UsageError("Give --ids, or all of --resource-group/-g, --name/-n and --resource-type.");
      }
      const typeText =
        opts["resource-type"].includes("/") || !opts.namespace ? opts["resource-type"] : `${opts.namespace}/${opts["resource-type"]}`;
      const [namespace, ...rest] = typeText.split("/");
      path = `${resourceGroupPath(subscriptionId, opts["resource-group"])}/providers/${namespace}/${opts.parent ? `${opts.parent}/` : ""}${rest.join("/")}/${opts.name}`;
    }
    const { namespace, type } = typeFromId(path);
    const apiVersion = opts["api-version"] ?? (await pickApiVersion(client, subscriptionId, namespace, type));
    return (await client.arm("GET", path, { query: { "api-version": apiVersion } })).body;
  },
});
