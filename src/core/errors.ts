/**
 * Meaning-free failures that inner modules throw. Each HTTP surface translates them once into its own
 * wire error (STYLE rule 2); inner modules never build error JSON.
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
 * A failure a surface has already described in its own catalog: `code` is stable, `status` is the HTTP status,
 * `details` are extra fields for the body. Surfaces define subclasses or factories; nothing else builds bodies.
 */
export class WireError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}
