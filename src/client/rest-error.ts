/**
 * One error type for every failed call to a Keyless surface. Each surface has its own envelope (ARM/Graph
 * `{error:{code,message}}`, OAuth `{error,error_description}`, data plane `{error:{code,message}}`); this reads
 * them all into a code and a message, so callers never parse bodies themselves.
 */
export class RestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: unknown;

  constructor(status: number, code: string, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/** Reads a code and message from any of our error envelopes; falls back to the HTTP status. */
export function restErrorFrom(status: number, body: unknown): RestError {
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const inner = record.error;
    if (inner && typeof inner === "object") {
      const { code, message } = inner as { code?: unknown; message?: unknown };
      return new RestError(status, String(code ?? status), String(message ?? ""), body);
    }
    if (typeof inner === "string") {
      return new RestError(status, inner, String(record.error_description ?? inner), body);
    }
  }
  return new RestError(status, `HTTP${status}`, typeof body === "string" && body !== "" ? body : `The server answered ${status}.`, body);
}
