import { ConflictError } from "../core/errors.ts";

/** Turns a unique-constraint failure of either dialect into the meaning-free ConflictError. */
export async function conflictOnDuplicate<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(message);
    throw err;
  }
}

function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown };
  // PostgreSQL: SQLSTATE 23505. SQLite: extended codes 2067 (UNIQUE) and 1555 (PRIMARY KEY).
  return e.code === "23505" || e.errcode === 2067 || e.errcode === 1555;
}
