import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CallLogEntry, createCallLog } from "../../src/audit/call-log.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

const entry = (i: number, overrides: Partial<CallLogEntry> = {}): CallLogEntry => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  requestId: `r${i}`,
  principalId: "p1",
  via: "token",
  account: "acct",
  deployment: "echo",
  operation: "POST /models/chat/completions",
  decision: "allowed",
  assignmentId: "a1",
  status: 200,
  promptTokens: 8,
  completionTokens: 7,
  latencyMs: 1.6,
  ...overrides,
});

for (const dialect of dialects) {
  describe(`call log on ${dialect}`, () => {
    test("records queue without waiting, land in batches, and read back field for field", async () => {
      const database = await freshDatabase(dialect);
      const log = createCallLog(database.db, { flushEveryMs: 60_000, maxBatch: 3, onError: (err) => assert.fail(String(err)) });
      try {
        log.record(entry(1));
        log.record(entry(2, { principalId: "p2", decision: "denied", status: 401, assignmentId: undefined, deployment: undefined }));
        assert.equal((await database.db.selectFrom("call_log").selectAll().execute()).length, 0, "nothing is written synchronously");
        log.record(entry(3));
        await log.flush();
        assert.equal((await database.db.selectFrom("call_log").selectAll().execute()).length, 3, "a full batch is written at once");
        log.record(entry(4));
        const denied = await log.list({ principalId: "p2" });
        assert.deepEqual(denied, [
          {
            ...entry(2, { principalId: "p2", decision: "denied", status: 401, assignmentId: undefined, deployment: undefined }),
            latencyMs: 2,
          },
        ]);
        assert.equal((await log.list()).length, 4, "list flushes what is queued");
      } finally {
        await log.close();
        await database.close();
      }
    });

    test("filters, keyset pages and usage per day × principal × deployment", async () => {
      const database = await freshDatabase(dialect);
      const log = createCallLog(database.db, { flushEveryMs: 60_000, maxBatch: 100, onError: (err) => assert.fail(String(err)) });
      try {
        log.record(entry(1));
        log.record(entry(2, { principalId: "p2" }));
        log.record(entry(3, { deployment: "embed", completionTokens: 0 }));
        log.record(entry(4, { at: "2026-01-02T10:00:00.000Z" }));
        log.record(entry(5, { account: "other" }));
        const newest = await log.list({ account: "ACCT", limit: 2 });
        assert.deepEqual(
          newest.map((e) => e.requestId),
          ["r4", "r3"],
          "account names compare case-insensitively",
        );
        const next = await log.list({ account: "acct", limit: 2, after: { at: newest[1]!.at, requestId: newest[1]!.requestId } });
        assert.deepEqual(
          next.map((e) => e.requestId),
          ["r2", "r1"],
        );
        assert.deepEqual(
          (await log.list({ account: "acct", from: "2026-01-02T00:00:00.000Z" })).map((e) => e.requestId),
          ["r4"],
        );
        assert.deepEqual(await log.usage({ account: "acct" }), [
          { day: "2026-01-01", principalId: "p1", deployment: "echo", calls: 1, promptTokens: 8, completionTokens: 7, totalTokens: 15 },
          { day: "2026-01-01", principalId: "p1", deployment: "embed", calls: 1, promptTokens: 8, completionTokens: 0, totalTokens: 8 },
          { day: "2026-01-01", principalId: "p2", deployment: "echo", calls: 1, promptTokens: 8, completionTokens: 7, totalTokens: 15 },
          { day: "2026-01-02", principalId: "p1", deployment: "echo", calls: 1, promptTokens: 8, completionTokens: 7, totalTokens: 15 },
        ]);
        assert.equal((await log.points({ account: "acct", deployment: "embed" })).length, 1);
      } finally {
        await log.close();
        await database.close();
      }
    });
  });
}
