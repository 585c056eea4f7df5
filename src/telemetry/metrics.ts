import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Seconds buckets of OpenTelemetry's `gen_ai.client.operation.duration` advice, good for HTTP and backends alike. */
const SECONDS = [0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Token-count buckets of the GenAI semantic conventions' `gen_ai.client.token.usage` advice (powers of 4). */
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

export interface MetricsOptions {
  /** Adds a `principal` label to token usage: as many series as callers, so only where that number is known. */
  principalLabel: boolean;
}

/**
 * Every Prometheus instrument the service exports, in one registry per server (never the global one, so tests
 * can run several). Labels hold only bounded sets: surfaces, status codes, grants, outcomes, and operator-made
 * names (accounts, deployments, models); never raw paths, request ids or (unless asked) principals.
 */
export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  const registers = [registry];
  const usageLabels = ["gen_ai_operation_name", "gen_ai_request_model", "gen_ai_token_type", "account", "deployment"];
  const instruments = {
    httpRequests: new Counter({
      name: "keyless_http_requests_total",
      help: "HTTP requests answered, by surface, method and status code.",
      labelNames: ["surface", "method", "status"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "keyless_http_request_duration_seconds",
      help: "Time from request to response, by surface and status code.",
      labelNames: ["surface", "status"] as const,
      buckets: SECONDS,
      registers,
    }),
    rbacDecisions: new Counter({
      name: "keyless_rbac_decisions_total",
      help: "RBAC decisions, by kind of operation (action, dataAction) and result (allowed, denied).",
      labelNames: ["kind", "result"] as const,
      registers,
    }),
    tokensIssued: new Counter({
      name: "keyless_tokens_issued_total",
      help: "Token endpoint answers, by grant type and result (issued, or the OAuth error code).",
      labelNames: ["grant", "result"] as const,
      registers,
    }),
    rateLimitRejections: new Counter({
      name: "keyless_rate_limit_rejections_total",
      help: "Data-plane calls refused with 429 by a deployment's rate limits.",
      labelNames: ["account", "deployment"] as const,
      registers,
    }),
    quotaRejections: new Counter({
      name: "keyless_quota_rejections_total",
      help: "Data-plane calls refused with 403 QuotaExceeded by a principal's token quota.",
      labelNames: ["account", "deployment"] as const,
      registers,
    }),
    backendDuration: new Histogram({
      name: "keyless_backend_duration_seconds",
      help: "Model backend call time (to the last byte for streams), by backend kind, model and operation.",
      labelNames: ["backend", "model", "operation"] as const,
      buckets: SECONDS,
      registers,
    }),
    timeToFirstToken: new Histogram({
      name: "keyless_backend_time_to_first_token_seconds",
      help: "Time from a streamed chat call to its first chunk from the backend.",
      labelNames: ["backend", "model"] as const,
      buckets: SECONDS,
      registers,
    }),
    backendErrors: new Counter({
      name: "keyless_backend_errors_total",
      help: "Model backend failures, by backend kind, model, operation and data-plane error code.",
      labelNames: ["backend", "model", "operation", "code"] as const,
      registers,
    }),
    tokenUsage: new Histogram({
      name: "gen_ai_client_token_usage",
      help: "Tokens per data-plane call (OpenTelemetry GenAI semantic conventions: gen_ai.client.token.usage).",
      labelNames: options.principalLabel ? [...usageLabels, "principal"] : usageLabels,
      buckets: TOKENS,
      registers,
    }),
    policyGeneration: new Gauge({
      name: "keyless_policy_generation",
      help: "The change number of the RBAC policy snapshot this node decides with.",
      registers,
    }),
    policyAge: new Gauge({
      name: "keyless_policy_staleness_seconds",
      help: "Seconds since this node last confirmed its RBAC policy snapshot against storage.",
      registers,
    }),
  };
  return { registry, options, ...instruments };
}

export type Metrics = ReturnType<typeof createMetrics>;
