import { UsageError } from "./cli-error.ts";
import { offsetMs } from "./commands/audit/list.ts";

/** The time window and narrowing every call-log command takes. */
export const callLogWindow = {
  offset: { type: "string", help: "How far back from now, e.g. 1h, 1d, 30d (default 1d). Ignored with --start-time." },
  "start-time": { type: "string", help: "Start of the window (ISO 8601, UTC)." },
  "end-time": { type: "string", help: "End of the window (ISO 8601, UTC; default now)." },
  principal: { type: "string", help: "Only calls by this principal (object id)." },
  deployment: { type: "string", help: "Only calls to this deployment." },
} as const;

export function callLogQuery(
  opts: {
    offset?: string | undefined;
    "start-time"?: string | undefined;
    "end-time"?: string | undefined;
    principal?: string | undefined;
    deployment?: string | undefined;
  },
  defaultOffset = "1d",
): Record<string, string> {
  const time = (name: string, value: string) => {
    if (Number.isNaN(Date.parse(value))) throw new UsageError(`--${name} '${value}' is not an ISO 8601 time, e.g. 2026-01-01T00:00:00Z.`);
    return new Date(Date.parse(value)).toISOString();
  };
  const startTime = opts["start-time"]
    ? time("start-time", opts["start-time"])
    : new Date(Date.now() - offsetMs(opts.offset ?? defaultOffset)).toISOString();
  return {
    startTime,
    ...(opts["end-time"] ? { endTime: time("end-time", opts["end-time"]) } : {}),
    ...(opts.principal ? { principalId: opts.principal } : {}),
    ...(opts.deployment ? { deployment: opts.deployment } : {}),
  };
}
