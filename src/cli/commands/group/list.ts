import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";

export const options = { tag: { type: "string", help: "A tag to filter by: key[=value]." } } as const;

export const spec = command({
  path: ["group", "list"],
  summary: "List resource groups.",
  options,
  examples: [{ text: "List resource groups as a table.", command: "keyless group list -o table" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const [key, value] = opts.tag?.split("=") ?? [];
    const filter = key ? `tagName eq '${key}'${value !== undefined ? ` and tagValue eq '${value}'` : ""}` : undefined;
    return client.list("arm", `/subscriptions/${subscriptionId}/resourcegroups`, {
      "api-version": API_VERSIONS.resources,
      $filter: filter,
    });
  },
  tableRows: (result) =>
    (result as { name: string; location: string; properties?: { provisioningState?: string } }[]).map((g) => ({
      Name: g.name,
      Location: g.location,
      Status: g.properties?.provisioningState,
    })),
});
