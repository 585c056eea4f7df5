import { type Context, context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { CallTrace } from "./call-trace.ts";

export interface Tracing {
  tracer: Tracer;
  /** Starts a data-plane call's trace (see startCallTrace). */
  startCall(name: string, traceparent: string | undefined): CallTrace;
  /** Sends what is queued and stops (on server close). */
  shutdown(): Promise<void>;
}

/**
 * Spans exported over OTLP/HTTP (JSON) to `{endpoint}/v1/traces`, in batches off the hot path. A provider of our
 * own, never the global one, so several servers in one process (tests) keep their spans apart.
 */
export function createTracing(endpoint: string): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "keyless" }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` }),
        scheduledDelayMillis: 500,
      }),
    ],
  });
  const tracer = provider.getTracer("keyless");
  return { tracer, startCall: (name, traceparent) => startCallTrace(tracer, name, traceparent), shutdown: () => provider.shutdown() };
}

/** Starts a call's server span, continuing the caller's trace when its `traceparent` header is valid (W3C). */
export function startCallTrace(tracer: Tracer, name: string, traceparent: string | undefined): CallTrace {
  const root = tracer.startSpan(name, { kind: SpanKind.SERVER }, parentContext(traceparent));
  const inRoot = trace.setSpan(context.active(), root);
  return {
    traceId: root.spanContext().traceId,
    async step(stepName, work) {
      const span: Span = tracer.startSpan(stepName, { kind: SpanKind.INTERNAL }, inRoot);
      try {
        return await work();
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
    end(attributes, failed) {
      root.setAttributes(attributes);
      if (failed) root.setStatus({ code: SpanStatusCode.ERROR });
      root.end();
    },
  };
}

function parentContext(traceparent: string | undefined): Context {
  const match = traceparent && /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent.trim());
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return context.active();
  return trace.setSpanContext(context.active(), {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16) & 1,
    isRemote: true,
  });
}
