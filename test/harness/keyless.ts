import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { startKeyless, startupReport } from "../../src/main.ts";
import { POSTGRES_URL } from "./databases.ts";
import { type ReadyFacts, serverHandle, startKeyless as spawnKeyless, testServerEnv } from "./keyless-process.ts";

/** A Keyless server a test drives: its start-up facts, and how to stop, restart and clean up after it. */
export interface TestServer {
  facts: ReadyFacts;
  dataDir: string;
  stop(): Promise<void>;
  /** Stops, then starts again on the same data dir and storage. */
  restart(): Promise<TestServer>;
  cleanup(): void;
}

export interface ServerOptions {
  /** Settings as environment variables (`KEYLESS_…`), on top of the test defaults. */
  env?: Record<string, string>;
  /** Reuse a data dir (a restart); a new temporary one by default. */
  dataDir?: string;
  /**
   * Run `src/main.ts` as a child process instead of in this one: for tests of what only a process shows (its
   * output, its environment, signals). Everything else runs in process, which starts several times faster.
   */
  process?: boolean;
  /** With `process`: every chunk the child writes to stdout or stderr. */
  onOutput?: (chunk: string) => void;
}

/** Starts the real service on a free loopback port: in this process by default, or as a child process. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  if (options.process) return spawnKeyless(options);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "keyless-it-"));
  // Logs are off in process (they would mix with the test output); a test about logs runs the server as a process.
  const env = { ...process.env, KEYLESS_LOG_LEVEL: "silent", ...testServerEnv(dataDir), ...options.env };
  const config = loadConfig({ env });
  const running = await startKeyless(config);
  const report = startupReport(running, config);
  const facts = JSON.parse(report.slice(report.indexOf("KEYLESS_READY ") + "KEYLESS_READY ".length)) as ReadyFacts;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= running.close();
    return stopped;
  };
  return serverHandle(facts, dataDir, stop, () => startServer({ ...options, dataDir }));
}

/**
 * The settings of one node of several on one PostgreSQL schema; `env` adds or overrides settings of this node.
 * Start the first node with them, then the others with `startNodeBeside`.
 */
export function sharedSchemaEnv(schema: string, env: Record<string, string> = {}): Record<string, string> {
  return { KEYLESS_STORAGE: POSTGRES_URL, KEYLESS_STORAGE_SCHEMA: schema, ...env };
}

/** A node that learns of policy changes only by notification: its poll is ten minutes, its staleness grace an hour. */
export const NOTIFIED_ONLY = { KEYLESS_POLICY_POLL_INTERVAL_MS: "600000", KEYLESS_POLICY_MAX_STALENESS_SECONDS: "3600" };

/** Another node of `first`'s deployment: the same data dir (master key, TLS material), its own settings. */
export function startNodeBeside(first: TestServer, env: Record<string, string>): Promise<TestServer> {
  return startServer({ dataDir: first.dataDir, env });
}

/**
 * One server for the tests of a `describe` block: started in a `before` hook registered here (so it runs before
 * the hooks registered after this call), stopped and cleaned up after them. Call it inside a `describe`: Node runs
 * a file's top-level `before` hooks concurrently, not in order. Read `facts` inside hooks and tests only.
 * Options that depend on something an earlier hook starts (another server's URL) are given as a function, called
 * when the server starts.
 */
export function useKeyless(options: ServerOptions | (() => ServerOptions) = {}) {
  let server: TestServer | undefined;
  before(async () => {
    server = await startServer(typeof options === "function" ? options() : options);
  });
  after(async () => {
    await server?.stop();
    server?.cleanup();
  });
  const current = () => {
    if (!server) throw new Error("the Keyless server is not started yet: use it inside a hook or a test");
    return server;
  };
  return {
    get facts(): ReadyFacts {
      return current().facts;
    },
    get dataDir(): string {
      return current().dataDir;
    },
    get server(): TestServer {
      return current();
    },
    /** Stops the server and starts it again on the same data dir; `facts` then describe the new one. */
    async restart(): Promise<void> {
      server = await current().restart();
    },
  };
}
