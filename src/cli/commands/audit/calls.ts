import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { callLogQuery, callLogWindow } from "../../call-log-options.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  ...callLogWindow,
  decision: { type: "string", help: "Only calls with this decision.", choices: ["allowed", "denied", "unauthenticated", "not-evaluated"] },
  status: { type: "string", help: "Only calls answered with this HTTP status, e.g. 429." },
} as const;

interface CallJson {
  name: string;
  properties: Record<string, unknown>;
}

export const spec = command({
  path: ["audit", "calls"],
  summary: "List an account's data-plane calls (the call log): who called which deployment, the decision, status and tokens.",
  options,
  examples: [
    { text: "Refused calls of the last day.", command: "keyless audit calls -n acct1 -g rg-ai --offset 1d --decision denied -o table" },
    { text: "Export a week as JSON lines.", command: "keyless audit calls -n acct1 -g rg-ai --offset 7d -o jsonl > calls.jsonl" },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const calls = (await client.list("arm", `${accountPath(subscriptionId, opts["resource-group"], opts.name)}/calls`, {
      "api-version": API_VERSIONS.cognitive,
      ...callLogQuery(opts),
      ...(opts.decision ? { decision: opts.decision } : {}),
      ...(opts.status ? { status: opts.status } : {}),
    })) as CallJson[];
    return calls.map((c) => ({ requestId: c.name, ...c.properties }));
  },
  tableRows: (result) =>
    (result as Record<string, unknown>[]).map((c) => ({
      Time: c.time,
      Principal: c.principalId,
      Deployment: c.deployment,
      Operation: c.operation,
      Decision: c.decision,
      Status: c.status,
      Tokens: c.totalTokens,
      LatencyMs: c.latencyMs,
    })),
});
