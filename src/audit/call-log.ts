import type { Kysely } from "kysely";
import type { Tables } from "../storage/tables.ts";
import type { CallFilter, CallLogEntry, CallPoint, CallUsageRow } from "../storage/records.ts";
import { callPoints, listCalls, usageByDay } from "./call-log-queries.ts";

export type { CallLogEntry } from "../storage/records.ts";

interface CallLog {
  /** Queues one record; returns at once (the hot path never waits on storage). */
  record(entry: CallLogEntry): void;
  /** Writes what is queued now. */
  flush(): Promise<void>;
  /** Newest first; `after` continues below a previous page's last entry (keyset paging). */
  list(filter?: CallFilter & { limit?: number; after?: { at: string; requestId: string } }): Promise<CallLogEntry[]>;
  /** Calls and tokens per UTC day × principal × deployment. */
  usage(filter: CallFilter): Promise<CallUsageRow[]>;
  /** The few fields Azure Monitor metrics are computed from, oldest first. */
  points(filter: CallFilter): Promise<CallPoint[]>;
  /** Deletes the records older than the retention (from `now`); returns how many went. */
  prune(now?: Date): Promise<number>;
  close(): Promise<void>;
}

interface CallLogOptions {
  flushEveryMs: number;
  maxBatch: number;
  onError(err: unknown): void;
  /** Days a record is kept (setting `callLogRetentionDays`); 0 keeps every record. Pruned at start, then hourly. */
  retentionDays?: number;
}

const PRUNE_EVERY_MS = 3600_000;

/**
 * The per-call record, written off the hot path: records queue in memory and go to storage in one multi-row
 * insert per batch (every `flushEveryMs`, or at once when `maxBatch` are waiting). A failed write is reported
 * and dropped rather than retried forever, so a storage outage cannot grow memory without bound.
 */
export function createCallLog(
  db: Kysely<Tables>,
  options: CallLogOptions = { flushEveryMs: 250, maxBatch: 500, onError: () => undefined },
): CallLog {
  let queue: CallLogEntry[] = [];
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void flush(), options.flushEveryMs);
  timer.unref();
  const retentionDays = options.retentionDays ?? 0;
  const pruneTimer = retentionDays > 0 ? setInterval(() => void prune().catch(options.onError), PRUNE_EVERY_MS) : undefined;
  pruneTimer?.unref();
  if (retentionDays > 0) void prune().catch(options.onError);

  async function prune(now = new Date()): Promise<number> {
    if (retentionDays <= 0) return 0;
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
    const result = await db.deleteFrom("call_log").where("at", "<", cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  function flush(): Promise<void> {
    if (queue.length === 0) return writing;
    const batch = queue;
    queue = [];
    writing = writing.then(() => write(db, batch)).catch(options.onError);
    return writing;
  }

  return {
    record(entry) {
      queue.push(entry);
      if (queue.length >= options.maxBatch) void flush();
    },
    flush,
    async list(filter = {}) {
      await flush();
      return (await listCalls(db, filter)).map(fromRow);
    },
    async usage(filter) {
      await flush();
      return usageByDay(db, filter);
    },
    async points(filter) {
      await flush();
      return callPoints(db, filter);
    },
    prune,
    async close() {
      clearInterval(timer);
      clearInterval(pruneTimer);
      await flush();
    },
  };
}

async function write(db: Kysely<Tables>, batch: CallLogEntry[]): Promise<void> {
  await db.insertInto("call_log").values(batch.map(toRow)).execute();
}

function toRow(e: CallLogEntry): Tables["call_log"] {
  return {
    request_id: e.requestId,
    at: e.at,
    principal_id: e.principalId,
    via: e.via,
    account: e.account,
    deployment: e.deployment ?? null,
    operation: e.operation,
    decision: e.decision,
    assignment_id: e.assignmentId ?? null,
    status: e.status,
    prompt_tokens: e.promptTokens,
    completion_tokens: e.completionTokens,
    latency_ms: Math.round(e.latencyMs),
    prompt_text: e.promptText ?? null,
    trace_id: e.traceId ?? null,
  };
}

function fromRow(r: Tables["call_log"]): CallLogEntry {
  return {
    requestId: r.request_id,
    at: r.at,
    principalId: r.principal_id,
    via: r.via,
    account: r.account,
    deployment: r.deployment ?? undefined,
    operation: r.operation,
    decision: r.decision,
    assignmentId: r.assignment_id ?? undefined,
    status: Number(r.status),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    latencyMs: Number(r.latency_ms),
    ...(r.prompt_text === null ? {} : { promptText: r.prompt_text }),
    ...(r.trace_id === null || r.trace_id === undefined ? {} : { traceId: r.trace_id }),
  };
}
