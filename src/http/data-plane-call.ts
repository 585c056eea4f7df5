import type { FastifyReply, FastifyRequest } from "fastify";
import type { CallRecord, DataPlaneDeps } from "../inference/data-plane.ts";
import type { QuotaWindow } from "../inference/quotas.ts";
import { type CallTrace, noTrace } from "../telemetry/call-trace.ts";

/**
 * What one call has learned so far; written as its record when the response closes, whatever happened, but only
 * once the call named an existing account: calls to unknown accounts (anyone can make them) never fill the log.
 */
export type CallContext = Omit<CallRecord, "at" | "status" | "latencyMs"> & {
  accountFound: boolean;
  /** The quota windows the call's tokens are charged to when it ends (see data-plane-quota.ts). */
  quotaWindows?: QuotaWindow[];
  /** The call's spans (a no-op unless `otlpEndpoint` is set). */
  trace: CallTrace;
};

/** Starts the call's record; it is handed to the call log when the response finishes or the client goes away. */
export function beginCall(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: DataPlaneDeps,
  account: string,
  operation: string,
  trace: CallTrace = noTrace,
): CallContext {
  if (trace.traceId) {
    // Every log line of this request names its trace, so logs and spans meet.
    request.log = request.log.child({ traceId: trace.traceId });
    reply.log = request.log;
  }
  const started = performance.now();
  const at = new Date().toISOString();
  const context: CallContext = {
    requestId: String(request.id),
    principalId: "",
    via: "none",
    account,
    deployment: undefined,
    operation,
    decision: "unauthenticated",
    assignmentId: undefined,
    promptTokens: 0,
    completionTokens: 0,
    accountFound: false,
    trace,
    ...(trace.traceId ? { traceId: trace.traceId } : {}),
  };
  reply.raw.once("close", () => {
    const { accountFound, quotaWindows, trace: callTrace, ...record } = context;
    const tokens = record.promptTokens + record.completionTokens;
    if (quotaWindows && tokens > 0)
      for (const window of quotaWindows) void deps.quotas?.counter.charge(window, tokens).catch(() => undefined);
    if (!accountFound) return;
    // A response closed before it finished is a client that went away: 499, as proxies record it.
    const status = reply.raw.writableFinished ? reply.raw.statusCode : 499;
    callTrace.end(
      {
        "http.response.status_code": status,
        "keyless.account": record.account,
        "keyless.decision": record.decision,
        "enduser.id": record.principalId,
        ...(record.deployment ? { "keyless.deployment": record.deployment } : {}),
        ...(record.model ? { "gen_ai.request.model": record.model } : {}),
        "gen_ai.usage.input_tokens": record.promptTokens,
        "gen_ai.usage.output_tokens": record.completionTokens,
      },
      status >= 500,
    );
    deps.recordCall({ ...record, at, status, latencyMs: Math.round((performance.now() - started) * 100) / 100 });
  });
  return context;
}

/** A client that goes away cancels the model call at once. */
export function abortOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
