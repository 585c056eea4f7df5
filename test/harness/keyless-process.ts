import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** The facts the service prints on its machine-readable start-up line. */
export interface ReadyFacts {
  url: string;
  port: number;
  caPath: string;
  tenantId: string;
  subscriptionId: string;
  adminUsername: string;
  demo: { resourceGroup: string; account: string; deployment: string; endpoint: string } | null;
  /** The Prometheus endpoint, when the node runs with `metricsPort`. */
  metricsUrl?: string | null;
}

export interface KeylessProcess {
  facts: ReadyFacts;
  dataDir: string;
  /** The server process (its memory is read from /proc by the fuzz suite). */
  pid: number;
  /** Settles with the exit code (null when a signal ended it) once the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
  /** Stops, then starts again on the same data dir and storage. */
  restart(): Promise<KeylessProcess>;
  cleanup(): void;
}

export const ADMIN_PASSWORD = "Test-Admin-Password-1";

/** The settings every test server gets: its data dir, a free port, the suite's TLS certificate, a known admin password. */
export function testServerEnv(dataDir: string): Record<string, string> {
  return {
    KEYLESS_DATA_DIR: dataDir,
    KEYLESS_PORT: "0",
    KEYLESS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...(process.env.KEYLESS_TEST_TLS_CERT && process.env.KEYLESS_TEST_TLS_KEY
      ? { KEYLESS_TLS_CERT: process.env.KEYLESS_TEST_TLS_CERT, KEYLESS_TLS_KEY: process.env.KEYLESS_TEST_TLS_KEY }
      : {}),
  };
}

/**
 * Starts the real service (`src/main.ts`) as a child process on a free loopback port. New tests get a server from
 * `useKeyless`/`startServer` in `keyless.ts` instead (docs/testing.md), which runs it in process unless asked not to.
 * `throughLauncher` starts it as an operator does, `keyless serve` through bin/keyless.js, with the Node options and
 * environment the launcher adds (what a node's memory figures must include).
 */
export async function startKeyless(
  options: { dataDir?: string; env?: Record<string, string>; onOutput?: (chunk: string) => void; throughLauncher?: boolean } = {},
): Promise<KeylessProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "keyless-it-"));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KEYLESS_LOG_LEVEL: "warn",
    ...testServerEnv(dataDir),
    ...options.env,
  };
  const entry = options.throughLauncher ? ["bin/keyless.js", "serve"] : ["src/main.ts"];
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", ...entry], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (options.onOutput) {
    child.stdout!.on("data", (d) => options.onOutput!(String(d)));
    child.stderr!.on("data", (d) => options.onOutput!(String(d)));
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const facts = await readyLine(child);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { ...serverHandle(facts, dataDir, stop, () => startKeyless({ ...options, dataDir })), pid: child.pid!, exited };
}

/** A started server's handle: `restart()` stops it and starts it again (on the same data dir) with `startAgain`. */
export function serverHandle<S>(facts: ReadyFacts, dataDir: string, stop: () => Promise<void>, startAgain: () => Promise<S>) {
  return {
    facts,
    dataDir,
    stop,
    async restart(): Promise<S> {
      await stop();
      return startAgain();
    },
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

function readyLine(child: ChildProcess): Promise<ReadyFacts> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (line.startsWith("KEYLESS_READY ")) resolve(JSON.parse(line.slice("KEYLESS_READY ".length)) as ReadyFacts);
    });
    child.once("exit", (code) => reject(new Error(`keyless exited with ${code} before it was ready:\n${stderr}`)));
  });
}
