import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";

/**
 * Files Keyless writes hold secrets (the database, its WAL, keys, the CLI's tokens): each is created 0600, in a
 * directory only its owner may write. Helpers for that, in one place.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * From here on this process creates files 0600 and directories 0700 whatever it asks for, including files a
 * library creates by itself (SQLite's `-wal` and `-shm`). The server calls this before it writes anything.
 */
export function restrictNewFiles(): void {
  process.umask(0o077);
}

/** Creates `path` empty with mode 0600 if it does not exist, and takes any group or world access off it if it does. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, "a", PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Takes group and world access off the files that exist among `paths`. */
export function makePrivate(...paths: string[]): void {
  for (const path of paths) if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
}

/**
 * Replaces `path` whole: the data goes to a new temporary file with a random name, opened exclusively (`wx`:
 * O_CREAT|O_EXCL, so a file or link another user planted there is never followed or reused) with mode 0600, is
 * flushed, then renamed over `path`.
 */
export function writePrivateFile(path: string, data: string): void {
  const temporary = `${path}.${randomBytes(12).toString("hex")}.tmp`;
  try {
    const fd = openSync(temporary, "wx", PRIVATE_FILE_MODE);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temporary, PRIVATE_FILE_MODE);
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}

/**
 * Why a directory may not hold secrets, or undefined when it may: another user owns it, or group or others may
 * write to it (they could replace or plant files there).
 */
export function unsafeDirectoryReason(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const stat = statSync(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `'${dir}' belongs to another user (uid ${stat.uid})`;
  if ((stat.mode & 0o022) !== 0) return `'${dir}' is writable by its group or by others (mode ${(stat.mode & 0o777).toString(8)})`;
  return undefined;
}
