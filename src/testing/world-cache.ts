import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, unsafeDirectoryReason } from "../core/private-files.ts";
import { packageDir, type SeedChange } from "./server-process.ts";

/**
 * keyless/testing's prepared worlds: a test-only fast path (docs/testing-with-keyless.md, "The prepared-world cache").
 *
 * Preparing a world is most of a first `startKeyless()`: the local CA and server certificate (two RSA keys), the
 * token signing key, the SQLite migrations, the administrator and the world's users (scrypt each), the world's
 * requests. Every test file of a node:test run is a new process that would prepare the same world again. So the data
 * dir of a prepared world (stopped, so its files are whole), with the administrator's password and the secrets the
 * world created, is kept in the user's cache folder (0700, files 0600), under a key of everything that decides its
 * contents: this Keyless build (its files' sizes and times), the Node version, the world file, the settings and the
 * files they name. A later start with the same inputs copies it and starts on the copy, as `reset()` does.
 * `keyless serve` never uses it: its data dirs are created with their own keys and hashes, as always.
 */
export interface PreparedWorld {
  adminPassword: string;
  seeded: SeedChange[];
  /** The world's users' passwords (from the world file), by user principal name. */
  users: Record<string, string>;
}

/** Bump when what a prepared world holds changes shape. */
const FORMAT = 2;
/** Older entries are prepared again (the server certificate and signing key age; nothing old lingers). */
const MAX_AGE_MS = 7 * 86_400_000;
/** At most this many prepared worlds are kept (about half a megabyte each for a small world). */
const MAX_ENTRIES = 20;
/** A cache folder's unfinished copies (a process that died while saving) are removed after this. */
const STALE_TEMPORARY_MS = 3_600_000;

interface WorldCacheInputs {
  world: string | undefined;
  adminPassword: string | undefined;
  env: Record<string, string>;
}

/**
 * The cache folder: `KEYLESS_TESTING_CACHE` (a folder, or `off`), else the user's cache folder (XDG_CACHE_HOME or
 * ~/.cache, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows)/keyless/testing. Undefined when turned off or
 * when the folder could be written by someone else (then every start prepares its world).
 */
export function worldCacheDir(setting = process.env.KEYLESS_TESTING_CACHE): string | undefined {
  if (setting !== undefined && /^(off|0|false|no)$/i.test(setting)) return undefined;
  const base =
    process.platform === "win32"
      ? (process.env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"))
      : process.platform === "darwin"
        ? join(homedir(), "Library", "Caches")
        : process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const dir = setting || join(base, "keyless", "testing");
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch {
    return undefined;
  }
  return unsafeDirectoryReason(dir) === undefined ? dir : undefined;
}

/** The key of a prepared world: a digest of everything its contents depend on. */
export function worldCacheKey(inputs: WorldCacheInputs): string {
  const hash = createHash("sha256");
  const add = (label: string, value: string | Buffer) => hash.update(`${label}\0${value.length}\0`).update(value);
  add("format", String(FORMAT));
  add("node", process.version);
  add("code", codeFingerprint());
  add("world", inputs.world === undefined ? "" : readFileSync(inputs.world));
  add("admin", inputs.adminPassword ?? "");
  for (const [name, value] of Object.entries(inputs.env).sort(([a], [b]) => a.localeCompare(b))) {
    add("env", `${name}=${value}`);
    // A setting that names a file (a models file, a federation file): its contents count too.
    if (value !== "" && existsSync(value) && statSync(value).isFile()) add("file", readFileSync(value));
  }
  return hash.digest("hex").slice(0, 32);
}

/**
 * This build of Keyless: path, size and modification time of every file of the code that runs (src/ in a checkout,
 * dist/src in the package) and of the package's manifest and lock file (the dependencies' versions), so an edit, a
 * checkout of another commit, an `npm ci` or an upgrade prepares worlds anew.
 */
function codeFingerprint(): string {
  const root = join(import.meta.dirname, "..");
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  const pkg = packageDir();
  files.push(join(pkg, "package.json"), join(pkg, "package-lock.json"));
  const lines: string[] = [];
  for (const path of files) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat) lines.push(`${path}\t${stat.size}\t${stat.mtimeMs}`);
  }
  return lines.sort().join("\n");
}

/** Copies a prepared world's data dir into `dataDir` (which must not exist); undefined when there is none. */
export function restorePreparedWorld(cacheDir: string, key: string, dataDir: string): PreparedWorld | undefined {
  const entry = join(cacheDir, key);
  try {
    const meta = JSON.parse(readFileSync(join(entry, "prepared.json"), "utf8")) as PreparedWorld & { createdAt: number };
    if (Date.now() - meta.createdAt > MAX_AGE_MS) {
      forgetPreparedWorld(cacheDir, key);
      return undefined;
    }
    cpSync(join(entry, "data"), dataDir, { recursive: true });
    return { adminPassword: meta.adminPassword, seeded: meta.seeded, users: meta.users };
  } catch {
    rmSync(dataDir, { recursive: true, force: true });
    return undefined;
  }
}

/**
 * Keeps a stopped server's data dir as the prepared world of `key`: written into a temporary folder, then renamed
 * into place, so a reader never sees half of one (when two processes prepare the same world, the first to finish is
 * kept). Old entries and unfinished copies are removed on the way. Failing to save only costs the next start time.
 */
export function savePreparedWorld(cacheDir: string, key: string, dataDir: string, prepared: PreparedWorld): void {
  const temporary = join(cacheDir, `${key}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    mkdirSync(temporary, { mode: PRIVATE_DIR_MODE });
    cpSync(dataDir, join(temporary, "data"), { recursive: true });
    writeFileSync(join(temporary, "prepared.json"), JSON.stringify({ ...prepared, createdAt: Date.now() }), {
      mode: PRIVATE_FILE_MODE,
    });
    renameSync(temporary, join(cacheDir, key));
  } catch {
    // Another process saved this world first, or the cache folder is not writable.
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  removeOldEntries(cacheDir);
}

/** Drops a prepared world that failed to start (it is prepared again next time). */
export function forgetPreparedWorld(cacheDir: string, key: string): void {
  rmSync(join(cacheDir, key), { recursive: true, force: true });
}

/** Removes unfinished copies, entries older than MAX_AGE_MS, and all but the newest MAX_ENTRIES. */
function removeOldEntries(cacheDir: string): void {
  const now = Date.now();
  const entries: { path: string; mtimeMs: number }[] = [];
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    const temporary = name.endsWith(".tmp");
    if (now - stat.mtimeMs > (temporary ? STALE_TEMPORARY_MS : MAX_AGE_MS)) rmSync(path, { recursive: true, force: true });
    else if (!temporary) entries.push({ path, mtimeMs: stat.mtimeMs });
  }
  entries.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { path } of entries.slice(MAX_ENTRIES)) rmSync(path, { recursive: true, force: true });
}
