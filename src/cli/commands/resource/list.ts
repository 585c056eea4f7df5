import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { resourceGroupPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  "resource-group": { type: "string", short: "g", help: "Name of the resource group; default: the whole subscription." },
  "resource-type": { type: "string", help: "Only resources of this type, e.g. Microsoft.CognitiveServices/accounts." },
  name: { type: "string", short: "n", help: "Only resources with this name." },
} as const;

export const spec = command({
  path: ["resource", "list"],
  summary: "List resources.",
  options,
  examples: [
    {
      text: "List the Cognitive Services accounts of a group.",
      command: "keyless resource list -g rg-ai --resource-type Microsoft.CognitiveServices/accounts -o table",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const base = opts["resource-group"] ? resourceGroupPath(subscriptionId, opts["resource-group"]) : `/subscriptions/${subscriptionId}`;
    const filters = [
      ...(opts["resource-type"] ? [`resourceType eq '${opts["resource-type"]}'`] : []),
      ...(opts.name ? [`name eq '${opts.name}'`] : []),
    ];
    const resources = await client.list("arm", `${base}/resources`, {
      "api-version": API_VERSIONS.resources,
      $filter: filters.length ? filters.join(" and ") : undefined,
    });
    return (resources as Record<string, unknown>[]).map(asAzGenericResource);
  },
  /** az's `transform_resource_list` (a resource's `properties` is absent from a list, so Status is blank). */
  tableRows: (result) =>
    (
      result as {
        name: string;
        resourceGroup?: string;
        location: string;
        type: string;
        properties?: { provisioningStatus?: string } | null;
      }[]
    ).map((r) => ({
      Name: r.name,
      ResourceGroup: r.resourceGroup,
      Location: r.location,
      Type: r.type,
      Status: r.properties === null || r.properties === undefined ? " " : r.properties.provisioningStatus,
    })),
});

/** The fields of az's `GenericResourceExpanded` model: az prints the ones the server left out as null. */
const GENERIC_RESOURCE_FIELDS = [
  "changedTime",
  "createdTime",
  "extendedLocation",
  "id",
  "identity",
  "kind",
  "location",
  "managedBy",
  "name",
  "plan",
  "properties",
  "provisioningState",
  "sku",
  "tags",
  "type",
];

/** A resource as az's SDK model hands it to the printer: every model field, times as Python's isoformat. */
function asAzGenericResource(resource: Record<string, unknown>): Record<string, unknown> {
  const modelled: Record<string, unknown> = Object.fromEntries(GENERIC_RESOURCE_FIELDS.map((field) => [field, resource[field] ?? null]));
  for (const field of ["changedTime", "createdTime"]) modelled[field] = pythonIsoTime(modelled[field]);
  return modelled;
}

/** `datetime.isoformat()` of a UTC time: microseconds unless zero, `+00:00`. */
function pythonIsoTime(value: unknown): unknown {
  if (typeof value !== "string" || Number.isNaN(Date.parse(value))) return value;
  const date = new Date(value);
  const millis = date.getUTCMilliseconds();
  return `${date.toISOString().slice(0, 19)}${millis ? `.${String(millis * 1000).padStart(6, "0")}` : ""}+00:00`;
}
