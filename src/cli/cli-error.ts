/** Exit codes, as the Azure CLI uses them. */
export const EXIT = { ok: 0, error: 1, usage: 2, notFound: 3 } as const;

/** A failure the CLI reports as `ERROR: (Code) message` and exits with its code. */
export class CliError extends Error {
  readonly code: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { code?: string; exitCode?: number } = {}) {
    super(message);
    this.code = options.code;
    this.exitCode = options.exitCode ?? EXIT.error;
  }
}

/** Bad command line: exit 2 and say what to change. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
  }
}

export class NotFoundError extends CliError {
  constructor(message: string, code = "NotFound") {
    super(message, { code, exitCode: EXIT.notFound });
  }
}
