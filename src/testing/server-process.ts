import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** What the server prints on its `KEYLESS_READY {json}` line. */
export interface ReadyFacts {
  url: string;
  port: number;
  caPath: string;
  tenantId: string;
  subscriptionId: string;
  adminUsername: string;
  demo: { resourceGroup: string; account: string; deployment: string; endpoint: string } | null;
}

/** One line of `KEYLESS_SEEDED`: what applying the world did (a new client secret is shown here once). */
export interface SeedChange {
  action: string;
  kind: string;
  name: string;
  appId?: string;
  secret?: string;
}

export interface ServerProcess {
  facts: ReadyFacts;
  seeded: SeedChange[];
  stop(): Promise<void>;
}

/** The package's folder (the one with `bin/keyless.js`), from src/testing (checkout) or dist/src/bundle (package). */
export function packageDir(): string {
  for (const up of ["..", "../.."]) {
    const dir = join(import.meta.dirname, up, "..");
    if (existsSync(join(dir, "bin", "keyless.js"))) return dir;
  }
  throw new Error("keyless/testing cannot find bin/keyless.js beside it");
}

function launcher(): string {
  return join(packageDir(), "bin", "keyless.js");
}

/**
 * Runs `keyless serve [--seed world]` and waits for its ready line. Under a Node older than 24 the launcher runs the
 * server on its Node 24 runtime and passes signals on, so stopping the child stops the server.
 */
export function spawnServer(options: {
  dataDir: string;
  port: number;
  env: Record<string, string>;
  world?: string | undefined;
}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [launcher(), "serve", ...(options.world ? ["--seed", options.world] : [])], {
    env: {
      ...process.env,
      KEYLESS_LOG_LEVEL: "warn",
      ...options.env,
      KEYLESS_DATA_DIR: options.dataDir,
      KEYLESS_PORT: String(options.port),
      KEYLESS_HOST: "127.0.0.1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stderr = "";
    let seeded: SeedChange[] = [];
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`keyless serve exited ${code} before it was ready:\n${stderr}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("KEYLESS_SEEDED "))
        seeded = (JSON.parse(line.slice("KEYLESS_SEEDED ".length)) as { changes: SeedChange[] }).changes;
      if (line.startsWith("KEYLESS_READY ")) {
        const facts = JSON.parse(line.slice("KEYLESS_READY ".length)) as ReadyFacts;
        child.removeAllListeners("exit");
        resolve({ facts, seeded, stop: () => stopChild(child) });
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
