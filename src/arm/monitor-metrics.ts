import { armError } from "./arm-errors.ts";
import type { CallPoint } from "../storage/records.ts";
import type { Aggregation, MetricsQuery } from "./monitor-query.ts";

interface AccountMetric {
  name: string;
  displayName: string;
  description: string;
  unit: "Count" | "MilliSeconds";
  primary: Aggregation;
  /** The metric's value for one call, or undefined when the call does not count towards it. */
  valueOf(call: CallPoint): number | undefined;
}

/** Calls that reached a deployment: what Azure's model metrics count (refusals before one was named have none). */
const onDeployment = (call: CallPoint, value: number) => (call.deployment === undefined ? undefined : value);

/** Azure's metric names for Cognitive Services / Foundry accounts, computed from the call log. */
const ACCOUNT_METRICS: readonly AccountMetric[] = [
  {
    name: "ModelRequests",
    displayName: "Model Requests",
    description: "Number of calls made to the model API over a period of time.",
    unit: "Count",
    primary: "Total",
    valueOf: (c) => onDeployment(c, 1),
  },
  {
    name: "InputTokens",
    displayName: "Input Tokens",
    description: "Number of prompt tokens processed (input) on a model.",
    unit: "Count",
    primary: "Total",
    valueOf: (c) => onDeployment(c, c.promptTokens),
  },
  {
    name: "OutputTokens",
    displayName: "Output Tokens",
    description: "Number of tokens generated (output) from a model.",
    unit: "Count",
    primary: "Total",
    valueOf: (c) => onDeployment(c, c.completionTokens),
  },
  {
    name: "TotalTokens",
    displayName: "Total Tokens",
    description: "Number of inference tokens processed on a model: prompt tokens (input) plus generated tokens (output).",
    unit: "Count",
    primary: "Total",
    valueOf: (c) => onDeployment(c, c.promptTokens + c.completionTokens),
  },
  {
    name: "ProcessedPromptTokens",
    displayName: "Processed Prompt Tokens",
    description: "Number of prompt tokens processed on an OpenAI model.",
    unit: "Count",
    primary: "Total",
    valueOf: (c) => onDeployment(c, c.promptTokens),
  },
  {
    name: "GeneratedTokens",
    displayName: "Generated Completion Tokens",
    description: "Number of tokens generated (output) from an OpenAI model.",
    unit: "Count",
    primary: "Total",
    valueOf: (c) => onDeployment(c, c.completionTokens),
  },
  {
    name: "TimeToResponse",
    displayName: "Time To Response",
    description: "Latency of a call: from the request to the end of the response, in milliseconds.",
    unit: "MilliSeconds",
    primary: "Average",
    valueOf: (c) => onDeployment(c, c.latencyMs),
  },
];

const GRAINS = ["PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT6H", "PT12H", "P1D"];
const NAMESPACE = "Microsoft.CognitiveServices/accounts";

/** `GET {accountId}/providers/Microsoft.Insights/metricDefinitions`. */
export function metricDefinitions(resourceId: string) {
  return {
    value: ACCOUNT_METRICS.map((m) => ({
      id: `${resourceId}/providers/microsoft.insights/metricdefinitions/${m.name}`,
      resourceId,
      namespace: NAMESPACE,
      name: { value: m.name, localizedValue: m.displayName },
      displayDescription: m.description,
      category: "Models",
      metricClass: m.unit === "Count" ? "Transactions" : "Latency",
      isDimensionRequired: false,
      unit: m.unit,
      primaryAggregationType: m.primary,
      supportedAggregationTypes: ["None", "Average", "Minimum", "Maximum", "Total", "Count"],
      metricAvailabilities: GRAINS.map((timeGrain) => ({ timeGrain, retention: "P93D" })),
      dimensions: [{ value: "ModelDeploymentName", localizedValue: "ModelDeploymentName" }],
    })),
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** `GET {accountId}/providers/Microsoft.Insights/metrics`: one series per deployment asked for, buckets aligned to the interval. */
export function metricsResponse(resourceId: string, location: string, query: MetricsQuery, calls: readonly CallPoint[]) {
  const metrics = (query.metricNames ?? ["ModelRequests"]).map((name) => {
    const metric = ACCOUNT_METRICS.find((m) => m.name.toLowerCase() === name.toLowerCase());
    if (!metric)
      throw armError(
        "BadRequest",
        `Failed to find metric configuration for provider: Microsoft.CognitiveServices, resource Type: accounts, metric: ${name}, Valid metrics: ${ACCOUNT_METRICS.map((m) => m.name).join(",")}`,
      );
    return metric;
  });
  // Without an aggregation, Azure uses the first metric's primary aggregation for all of them.
  const aggregations = query.aggregations ?? [metrics[0]!.primary];
  const start = query.intervalMs === undefined ? query.from : Math.floor(query.from / query.intervalMs) * query.intervalMs;
  const width = query.intervalMs ?? query.to - query.from;
  const buckets = Math.max(1, Math.ceil((query.to - start) / width));
  return {
    cost: buckets * metrics.length,
    timespan: `${iso(query.from)}/${iso(query.to)}`,
    interval: query.interval,
    value: metrics.map((metric) => ({
      id: `${resourceId}/providers/Microsoft.Insights/metrics/${metric.name}`,
      type: "Microsoft.Insights/metrics",
      name: { value: metric.name, localizedValue: metric.displayName },
      displayDescription: metric.description,
      unit: metric.unit,
      timeseries: seriesKeys(query, calls).map((deployment) => ({
        metadatavalues:
          deployment === undefined
            ? []
            : [{ name: { value: "modeldeploymentname", localizedValue: "modeldeploymentname" }, value: deployment }],
        data: bucketed(calls, deployment, metric, query, start, width, buckets).map((values, i) => ({
          timeStamp: iso(start + i * width),
          ...aggregate(values, aggregations),
        })),
      })),
      errorCode: "Success",
    })),
    namespace: NAMESPACE,
    resourceregion: location,
  };
}

/** Each bucket's values of `metric`, from one pass over the calls of the series' deployment inside the timespan. */
function bucketed(
  calls: readonly CallPoint[],
  deployment: string | undefined,
  metric: AccountMetric,
  query: MetricsQuery,
  start: number,
  width: number,
  buckets: number,
): number[][] {
  const values: number[][] = Array.from({ length: buckets }, () => []);
  for (const call of calls) {
    const at = Date.parse(call.at);
    if (at < query.from || at >= query.to || (deployment !== undefined && call.deployment !== deployment)) continue;
    const value = metric.valueOf(call);
    if (value !== undefined) values[Math.floor((at - start) / width)]?.push(value);
  }
  return values;
}

/** The deployments the query splits by: undefined alone when it does not split. */
function seriesKeys(query: MetricsQuery, calls: readonly CallPoint[]): (string | undefined)[] {
  if (query.deployments === undefined) return [undefined];
  if (query.deployments !== "*") return query.deployments;
  return [...new Set(calls.flatMap((c) => c.deployment ?? []))].sort();
}

/** Azure leaves Average, Minimum and Maximum out of an empty bucket and answers 0 for Total and Count. */
function aggregate(values: readonly number[], aggregations: readonly Aggregation[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of aggregations) {
    if (a === "Total") out.total = values.reduce((s, v) => s + v, 0);
    if (a === "Count") out.count = values.length;
    if (values.length === 0) continue;
    if (a === "Average") out.average = values.reduce((s, v) => s + v, 0) / values.length;
    if (a === "Minimum") out.minimum = Math.min(...values);
    if (a === "Maximum") out.maximum = Math.max(...values);
  }
  return out;
}
