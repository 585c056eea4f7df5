import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type CallLogEntry, createCallLog } from "../../src/audit/call-log.ts";
import { readCallLog } from "../harness/call-log-file.ts";
import { type DataPlaneWorld, startDataPlaneWorld } from "../harness/data-plane-world.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

/**
 * Threat: anonymous callers filling the disk through the call log (one row per request, an uncapped request id)
 * and getting arbitrary text echoed back in a response header. Request ids are GUIDs or replaced; only calls to an
 * existing account are recorded; records older than the retention are pruned.
 */
describe("call log flooding and request-id echo", () => {
  let world: DataPlaneWorld;
  before(async () => {
    world = await startDataPlaneWorld();
  });
  after(() => world?.stop());

  const post = (account: string, requestId: string) =>
    fetch(`${world.keyless.facts.url}/accounts/${account}/openai/deployments/echo/chat/completions?api-version=2024-10-21`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-ms-client-request-id": requestId },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    });

  test("a request id that is not a GUID is replaced, never echoed; a GUID is kept", async () => {
    const long = "x".repeat(3000);
    const r = await post(world.account, long);
    assert.equal(r.status, 401);
    const echoed = r.headers.get("x-ms-request-id")!;
    assert.match(echoed, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.doesNotMatch(echoed, /x{10}/);
    const guid = crypto.randomUUID();
    assert.equal((await post(world.account, guid)).headers.get("x-ms-request-id"), guid);
    assert.notEqual((await post(world.account, `${guid}<script>`)).headers.get("x-ms-request-id"), `${guid}<script>`);
  });

  test("calls to an account that does not exist leave no record; calls to a real one do", async () => {
    const marker = crypto.randomUUID();
    for (let i = 0; i < 20; i++) assert.equal((await post(`no-such-account-${i}`, marker)).status, 404);
    const known = crypto.randomUUID();
    await post(world.account, known);
    await new Promise((resolve) => setTimeout(resolve, 400)); // the call log writes in batches every 250 ms
    const rows = await readCallLog(world.keyless.dataDir);
    assert.equal(rows.filter((r) => r.account.startsWith("no-such-account")).length, 0);
    assert.equal(rows.filter((r) => r.request_id === known).length, 1);
  });
});

const entry = (at: Date, requestId: string): CallLogEntry => ({
  at: at.toISOString(),
  requestId,
  principalId: "p1",
  via: "token",
  account: "acct",
  deployment: "echo",
  operation: "POST /models/chat/completions",
  decision: "allowed",
  assignmentId: undefined,
  status: 200,
  promptTokens: 1,
  completionTokens: 1,
  latencyMs: 1,
});

for (const dialect of dialects) {
  test(`call log retention on ${dialect}: records older than callLogRetentionDays are pruned`, async () => {
    const database = await freshDatabase(dialect);
    const log = createCallLog(database.db, {
      flushEveryMs: 60_000,
      maxBatch: 100,
      onError: (err) => assert.fail(String(err)),
      retentionDays: 30,
    });
    try {
      const now = new Date();
      const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
      log.record(entry(daysAgo(40), "old"));
      log.record(entry(daysAgo(1), "recent"));
      await log.flush();
      assert.equal(await log.prune(now), 1);
      assert.deepEqual(
        (await log.list()).map((e) => e.requestId),
        ["recent"],
      );
    } finally {
      await log.close();
      await database.close();
    }
  });
}
