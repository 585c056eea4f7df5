/**
 * The per-call CPU cost of metrics and of the call log, measured in isolation (the end-to-end figure is
 * `bench/data-plane.ts --only observability --observability`, which a busy machine makes noisy):
 *   - metrics: what one chat call records (HTTP counter and histogram, RBAC decision, backend histogram, GenAI
 *     token usage), on the real instruments;
 *   - call log: `record()` plus the call's share of a 150-row batch written to SQLite (WAL, synchronous=FULL),
 *     the batch a node serving ~600 calls a second writes every 250 ms.
 * Compare each with the CPU time one call takes at c=50 (1 / req/s per core). Not a timed test (docs/benchmarks.md).
 *
 *   node bench/observability.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCallLog } from "../src/audit/call-log.ts";
import { openDatabase } from "../src/storage/database.ts";
import { createMetrics } from "../src/telemetry/metrics.ts";
import { backendObserver, recordTokenUsage, surfaceOf } from "../src/telemetry/observers.ts";

function metricsPerCall(): number {
  const metrics = createMetrics({ principalLabel: false });
  const backend = backendObserver(metrics);
  const model = { name: "bench", backend: { kind: "openai-compatible" } };
  const call = {
    operation: "POST /openai/v1/chat/completions",
    account: "acct",
    deployment: "bench",
    model: "bench",
    principalId: "p",
    promptTokens: 12,
    completionTokens: 8,
  };
  const one = () => {
    const surface = surfaceOf("/accounts/:account/openai/v1/chat/completions");
    metrics.httpRequests.inc({ surface, method: "POST", status: "200" });
    metrics.httpDuration.observe({ surface, status: "200" }, 0.02);
    metrics.rbacDecisions.inc({ kind: "dataAction", result: "allowed" });
    backend.call(model, "complete", 0.01, undefined);
    recordTokenUsage(metrics, call);
  };
  for (let i = 0; i < 100_000; i++) one(); // warm-up
  const n = 500_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) one();
  return ((performance.now() - started) * 1000) / n;
}

async function callLogPerCall(): Promise<{ p50: number; p90: number }> {
  const dir = mkdtempSync(join(tmpdir(), "keyless-bench-calllog-"));
  const database = await openDatabase(`sqlite:${join(dir, "keyless.db")}`, { schema: "public" });
  const log = createCallLog(database.db, { flushEveryMs: 3_600_000, maxBatch: 100_000, onError: (err) => console.error(err) });
  const batch = 150;
  const perCall: number[] = [];
  for (let round = 0; round < 60; round++) {
    const started = performance.now();
    for (let i = 0; i < batch; i++)
      log.record({
        at: new Date().toISOString(),
        requestId: crypto.randomUUID(),
        principalId: "p",
        via: "token",
        account: "acct",
        deployment: "bench",
        operation: "POST /openai/v1/chat/completions",
        decision: "allowed",
        assignmentId: "a",
        status: 200,
        promptTokens: 12,
        completionTokens: 8,
        latencyMs: 1.5,
      });
    await log.flush();
    if (round >= 10) perCall.push(((performance.now() - started) * 1000) / batch);
  }
  await log.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  perCall.sort((a, b) => a - b);
  return { p50: perCall[Math.floor(perCall.length / 2)]!, p90: perCall[Math.floor(perCall.length * 0.9)]! };
}

const metrics = metricsPerCall();
const callLog = await callLogPerCall();
process.stdout.write(
  [
    "| part | CPU per call |",
    "| --- | --- |",
    `| metrics (5 instruments) | ${metrics.toFixed(1)} µs |`,
    `| call log (record + batch write, SQLite) | p50 ${callLog.p50.toFixed(1)} µs, p90 ${callLog.p90.toFixed(1)} µs |`,
    "",
  ].join("\n"),
);
