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
  });
}
