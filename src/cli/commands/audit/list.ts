import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { UsageError } from "../../cli-error.ts";
import { command } from "../../command.ts";

export const options = {
  "resource-group": { type: "string", short: "g", help: "Only events of this resource group." },
  "resource-id": { type: "string", help: "Only events of this resource." },
  caller: { type: "string", help: "Only events by this caller (UPN or object id)." },
  offset: { type: "string", help: "How far back, e.g. 1h, 6h, 2d (default 6h, as az monitor activity-log list)." },
} as const;

/** `6h` / `2d` / `30m` to milliseconds. */
export function offsetMs(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text);
  if (!match) throw new UsageError(`'${text}' is not an offset; use e.g. 30m, 6h or 2d.`);
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "m" | "h" | "d"];
}

export const spec = command({
  path: ["audit", "list"],
  summary: "List control-plane events (the ARM activity log): who changed what, when, and whether it succeeded.",
  options,
  examples: [
    {
      text: "Role changes of the last day.",
      command: "keyless audit list --offset 1d --query \"[?contains(operationName.value, 'roleAssignments')]\" -o table",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const since = new Date(Date.now() - offsetMs(opts.offset ?? "6h")).toISOString();
    const filter = [
      `eventTimestamp ge '${since}'`,
      ...(opts["resource-group"] ? [`resourceGroupName eq '${opts["resource-group"]}'`] : []),
      ...(opts["resource-id"] ? [`resourceId eq '${opts["resource-id"]}'`] : []),
      ...(opts.caller ? [`caller eq '${opts.caller}'`] : []),
    ].join(" and ");
    return client.list("arm", `/subscriptions/${subscriptionId}/providers/Microsoft.Insights/eventtypes/management/values`, {
      "api-version": API_VERSIONS.activityLog,
      $filter: filter,
    });
  },
});
