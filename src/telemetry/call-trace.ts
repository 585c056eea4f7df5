/**
 * One data-plane call's trace as the HTTP layer sees it. A leaf without OpenTelemetry imports: the exporter and SDK
 * (`tracing.ts`, a few hundred modules) are loaded only when `otlpEndpoint` is set.
 */
export interface CallTrace {
  /** The 32-hex trace id, for the call log and the request's log lines; empty when tracing is off. */
  readonly traceId: string;
  step<T>(name: string, work: () => Promise<T>): Promise<T>;
  end(attributes: Record<string, string | number>, failed: boolean): void;
}

export const noTrace: CallTrace = { traceId: "", step: (_name, work) => work(), end: () => undefined };
