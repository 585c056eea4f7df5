/**
 * Meaning-free failures that inner modules throw. Each HTTP surface translates them once into its own
 * wire error (docs/architecture.md, "Errors"); inner modules never build error JSON.
 */
export class NotFoundError extends Error {
  readonly kind = "not-found";
  readonly what: string;
  constructor(what: string, message = `${what} was not found.`) {
    super(message);
    this.what = what;
  }
}

export class ConflictError extends Error {
  readonly kind = "conflict";
}

export class InvalidInputError extends Error {
  readonly kind = "invalid-input";
  readonly target: string | undefined;
  constructor(message: string, target?: string) {
    super(message);
    this.target = target;
  }
}

/**
 * The service cannot give a trustworthy answer now and will again soon (a node that cannot confirm its access
 * policy is current). Each surface answers 503 with `Retry-After` and its own code; `reason` is safe to show.
 */
export class UnavailableError extends Error {
  readonly kind = "unavailable";
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A failure a surface has already described in its own catalog: `code` is stable, `status` is the HTTP status,
 * `details` are extra fields for the body. Surfaces define subclasses or factories; nothing else builds bodies.
 */
export class WireError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/** Adds response headers (Retry-After, rate-limit counters) to an error. */
export function withHeaders(error: WireError, headers: Record<string, string>): WireError {
  return new WireError(error.status, error.code, error.message, { ...error.details }, { ...error.headers, ...headers });
}

/** Keeps the internal cause for the log; it never reaches the client. */
export function withCause(error: WireError, cause: unknown): WireError {
  error.cause = cause;
  return error;
}

/** Adds fields (such as the RBAC explanation) to an error's body. */
export function withDetails(error: WireError, details: Record<string, unknown>): WireError {
  return new WireError(error.status, error.code, error.message, { ...error.details, ...details }, { ...error.headers });
}

/** One catalog entry: the HTTP status and the message template, named by its stable code. */
interface CatalogEntry {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: templates take differing argument lists; `Parameters` recovers each.
  readonly template: (...args: any[]) => string;
}

/** The `throw catalogError("Code", …args)` factory of a surface's catalog, typed by each entry's template. */
export function catalogErrors<C extends Record<string, CatalogEntry>>(catalog: C) {
  return <N extends keyof C & string>(name: N, ...args: Parameters<C[N]["template"]>): WireError =>
    new WireError(catalog[name]!.status, name, catalog[name]!.template(...args));
}
