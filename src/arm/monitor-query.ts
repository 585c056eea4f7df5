import { armError } from "./arm-errors.ts";

export type Aggregation = "Total" | "Count" | "Average" | "Minimum" | "Maximum";
const AGGREGATIONS: readonly Aggregation[] = ["Total", "Count", "Average", "Minimum", "Maximum"];

/** A metrics query as Azure Monitor's `GET {resourceId}/providers/Microsoft.Insights/metrics` takes it. */
export interface MetricsQuery {
  from: number;
  to: number;
  /** Bucket width in ms; `undefined` is `FULL` (one bucket for the whole timespan). */
  intervalMs: number | undefined;
  interval: string;
  metricNames: string[] | undefined;
  aggregations: Aggregation[] | undefined;
  /** Deployment names to split by (`ModelDeploymentName eq 'x'`), `"*"` for all of them, undefined for no split. */
  deployments: string[] | "*" | undefined;
}

/** The most data points one series may have (a week of minutes), so one query cannot ask for millions. */
const MAX_POINTS = 10_080;

export function parseMetricsQuery(query: Record<string, string | undefined>, now: number): MetricsQuery {
  const [from, to] = parseTimespan(query.timespan, now);
  const interval = query.interval ?? "PT1M";
  const intervalMs = interval.toUpperCase() === "FULL" ? undefined : parseDuration(interval);
  if (intervalMs !== undefined && (to - from) / intervalMs > MAX_POINTS)
    throw armError(
      "BadRequest",
      `The timespan holds more than ${MAX_POINTS} intervals of ${interval}; use a shorter timespan or a wider interval.`,
    );
  return {
    from,
    to,
    intervalMs,
    interval: intervalMs === undefined ? "FULL" : interval.toUpperCase(),
    metricNames: query.metricnames ? query.metricnames.split(",").map((n) => n.trim()) : undefined,
    aggregations: query.aggregation ? query.aggregation.split(",").map(parseAggregation) : undefined,
    deployments: parseDeploymentFilter(query.$filter),
  };
}

/**
 * `start/end` in ISO 8601 (az sends it URL-encoded twice, and without a zone, meaning UTC); or `start/duration`.
 * Without one, the last hour, as Azure Monitor answers.
 */
function parseTimespan(raw: string | undefined, now: number): [number, number] {
  if (!raw) return [now - 3_600_000, now];
  const text = raw.includes("%") ? decodeURIComponent(raw) : raw;
  const [start, end] = text.split("/");
  const from = parseInstant(start);
  const to = end?.toUpperCase().startsWith("P") ? from + parseDuration(end) : parseInstant(end);
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from)
    throw armError("BadRequest", `Invalid timespan '${text}': give start/end in ISO 8601, e.g. 2026-01-01T00:00:00Z/2026-01-01T01:00:00Z.`);
  return [from, to];
}

function parseInstant(text: string | undefined): number {
  if (!text) return Number.NaN;
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
}

/** ISO 8601 durations of days, hours, minutes and seconds (PT1M, PT5M, PT1H, P1D, …). */
function parseDuration(text: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  const ms = match
    ? ((Number(match[1] ?? 0) * 24 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 60_000 + Number(match[4] ?? 0) * 1000
    : 0;
  if (!match || ms < 60_000)
    throw armError(
      "BadRequest",
      `Invalid interval '${text}': use an ISO 8601 duration of at least a minute (PT1M, PT5M, PT1H, P1D) or FULL.`,
    );
  return ms;
}

function parseAggregation(text: string): Aggregation {
  const found = AGGREGATIONS.find((a) => a.toLowerCase() === text.trim().toLowerCase());
  if (!found) throw armError("BadRequest", `Invalid aggregation '${text}'. Supported: ${AGGREGATIONS.join(", ")}.`);
  return found;
}

/** `ModelDeploymentName eq 'a' or ModelDeploymentName eq 'b'`, or `… eq '*'`; the only dimension Keyless records. */
function parseDeploymentFilter(filter: string | undefined): string[] | "*" | undefined {
  if (!filter?.trim()) return undefined;
  const clauses = filter
    .replace(/[()]/g, " ")
    .split(/\s+(?:or|and)\s+/i)
    .map((c) => c.trim());
  const values = clauses.map((clause) => {
    const match = /^(\w+)\s+eq\s+'([^']*)'$/i.exec(clause);
    if (!match || match[1]!.toLowerCase() !== "modeldeploymentname")
      throw armError(
        "BadRequest",
        `Unsupported $filter clause '${clause}': only ModelDeploymentName eq '<deployment>' (or '*') is supported.`,
      );
    return match[2]!;
  });
  return values.includes("*") ? "*" : values;
}
