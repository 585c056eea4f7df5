import { type AccountAddress, findAccount } from "./accounts.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import type { ArmDeps } from "./arm-deps.ts";
import { armError } from "./arm-errors.ts";
import type { CallFilter, CallLogEntry } from "../storage/records.ts";
import type { CallLogReader } from "./call-log-port.ts";
import { requireSubscription } from "./readable-resources.ts";

/** Reading the call log is a read of the account's calls: Reader (`*∕read`) and above may. */
const CALLS_READ = "Microsoft.CognitiveServices/accounts/calls/read";
const CALL_TYPE = "Microsoft.CognitiveServices/accounts/calls";
/** One page at most: ARM's page size. */
const MAX_PAGE = 100;

const noCalls: CallLogReader = { list: async () => [], usage: async () => [], points: async () => [] };

/** The account (which must exist and be readable for its calls by the caller) and the call log to read. */
export async function callLogOf(deps: ArmDeps, caller: ArmCaller, address: AccountAddress, action: string) {
  await requireSubscription(deps, caller, address.subscriptionId);
  const account = await findAccount(deps, address);
  await requireAction(deps, caller, action, account.id);
  return { account, callLog: deps.callLog ?? noCalls };
}

/**
 * `GET {accountId}/calls`: the account's data-plane calls, newest first, narrowed by `startTime`/`endTime` (ISO
 * 8601), `principalId`, `deployment`, `decision` and `status`; `$top` (≤ 100) per page, `nextLink` for the next.
 */
export async function listAccountCalls(
  deps: ArmDeps,
  caller: ArmCaller,
  address: AccountAddress,
  query: Record<string, string | undefined>,
  selfUrl: string,
) {
  const { account, callLog } = await callLogOf(deps, caller, address, CALLS_READ);
  const top = query.$top === undefined ? MAX_PAGE : Number(query.$top);
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE)
    throw armError("BadRequest", `$top must be a whole number from 1 to ${MAX_PAGE}.`);
  const after = query.$skiptoken === undefined ? undefined : decodeCursor(query.$skiptoken);
  const rows = await callLog.list({ ...callFilter(query, account.name), limit: top + 1, ...(after ? { after } : {}) });
  const page = rows.slice(0, top);
  const last = page.at(-1);
  const body: { value: unknown[]; nextLink?: string } = { value: page.map((c) => callJson(account.id, c)) };
  if (rows.length > top && last) {
    const next = new URL(selfUrl);
    next.searchParams.set("$skiptoken", Buffer.from(JSON.stringify({ at: last.at, id: last.requestId })).toString("base64url"));
    body.nextLink = next.toString();
  }
  return body;
}

/** The filter every call-log read takes from its query string, checked before anything is read. */
export function callFilter(query: Record<string, string | undefined>, account: string): CallFilter {
  const time = (name: string) => {
    const value = query[name];
    if (value === undefined) return undefined;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw armError("BadRequest", `${name} '${value}' is not an ISO 8601 time, e.g. 2026-01-01T00:00:00Z.`);
    return new Date(ms).toISOString();
  };
  const status = query.status === undefined ? undefined : Number(query.status);
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599))
    throw armError("BadRequest", `status '${query.status}' is not an HTTP status code.`);
  const decisions = ["allowed", "denied", "unauthenticated", "not-evaluated"];
  if (query.decision !== undefined && !decisions.includes(query.decision))
    throw armError("BadRequest", `decision '${query.decision}' is not one of ${decisions.join(", ")}.`);
  const filter: CallFilter = { account };
  const from = time("startTime");
  const to = time("endTime");
  if (from) filter.from = from;
  if (to) filter.to = to;
  if (query.principalId) filter.principalId = query.principalId;
  if (query.deployment) filter.deployment = query.deployment;
  if (query.decision) filter.decision = query.decision;
  if (status !== undefined) filter.status = status;
  return filter;
}

function decodeCursor(token: string): { at: string; requestId: string } {
  try {
    const cursor = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { at?: unknown; id?: unknown };
    if (typeof cursor.at === "string" && typeof cursor.id === "string") return { at: cursor.at, requestId: cursor.id };
  } catch {
    // falls through to the refusal
  }
  throw armError("InvalidSkipToken");
}

function callJson(accountResourceId: string, c: CallLogEntry) {
  return {
    id: `${accountResourceId}/calls/${c.requestId}`,
    name: c.requestId,
    type: CALL_TYPE,
    properties: {
      time: c.at,
      principalId: c.principalId,
      authentication: c.via,
      deployment: c.deployment ?? null,
      operation: c.operation,
      decision: c.decision,
      roleAssignmentId: c.assignmentId ?? null,
      status: c.status,
      promptTokens: c.promptTokens,
      completionTokens: c.completionTokens,
      totalTokens: c.promptTokens + c.completionTokens,
      latencyMs: c.latencyMs,
      traceId: c.traceId ?? null,
    },
  };
}
