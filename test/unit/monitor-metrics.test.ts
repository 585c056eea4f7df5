import assert from "node:assert/strict";
import { test } from "node:test";
import { WireError } from "../../src/core/errors.ts";
import { metricsResponse } from "../../src/arm/monitor-metrics.ts";
import { parseMetricsQuery } from "../../src/arm/monitor-query.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const call = (at: string, deployment: string | undefined, promptTokens: number, completionTokens: number, latencyMs = 10) => ({
  at,
  deployment,
  operation: "POST /models/chat/completions",
  status: 200,
  promptTokens,
  completionTokens,
  latencyMs,
});

test("az's timespan (URL-encoded twice, no zone) is UTC; interval and aggregations are checked", () => {
  const query = parseMetricsQuery(
    { timespan: "2026-03-01T11%3A00%3A00.123456%2F2026-03-01T12%3A00%3A00.123456", interval: "PT5M", aggregation: "total,Average" },
    NOW,
  );
  assert.equal(new Date(query.from).toISOString(), "2026-03-01T11:00:00.123Z");
  assert.equal(query.intervalMs, 300_000);
  assert.deepEqual(query.aggregations, ["Total", "Average"]);
  for (const bad of [{ interval: "5m" }, { aggregation: "Median" }, { $filter: "StatusCode eq '200'" }, { timespan: "yesterday/today" }])
    assert.throws(
      () => parseMetricsQuery(bad, NOW),
      (err: unknown) => err instanceof WireError && err.status === 400,
    );
  assert.throws(
    () => parseMetricsQuery({ timespan: "2026-01-01T00:00:00Z/2026-03-01T00:00:00Z", interval: "PT1M" }, NOW),
    /more than 10080 intervals/,
  );
});

test("buckets align to the interval; a deployment filter splits series; empty buckets total 0 and carry no average", () => {
  const calls = [
    call("2026-03-01T11:01:10Z", "chat", 10, 5),
    call("2026-03-01T11:01:50Z", "embed", 7, 0),
    call("2026-03-01T11:03:00Z", "chat", 1, 1),
    call("2026-03-01T11:03:30Z", undefined, 0, 0),
  ];
  const query = parseMetricsQuery(
    {
      timespan: "2026-03-01T11:00:30Z/2026-03-01T11:04:00Z",
      interval: "PT1M",
      metricnames: "TotalTokens,TimeToResponse",
      aggregation: "Total,Average",
      $filter: "ModelDeploymentName eq '*'",
    },
    NOW,
  );
  const body = metricsResponse(
    "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a",
    "eastus",
    query,
    calls,
  );
  const tokens = body.value[0]!;
  assert.deepEqual(
    tokens.timeseries.map((s) => [s.metadatavalues[0]!.value, s.data.map((d) => (d as { total?: number }).total)]),
    [
      ["chat", [0, 15, 0, 2]],
      ["embed", [0, 7, 0, 0]],
    ],
  );
  assert.equal(tokens.timeseries[0]!.data[0]!.timeStamp, "2026-03-01T11:00:00Z");
  assert.equal("average" in tokens.timeseries[0]!.data[0]!, false);
  assert.equal(body.value[1]!.unit, "MilliSeconds");
  assert.throws(() => metricsResponse("/x", "eastus", { ...query, metricNames: ["Bogus"] }, calls), /Valid metrics: ModelRequests/);
});
