import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { ADMIN_PASSWORD, type ReadyFacts } from "./keyless-process.ts";

const BIN = resolve(import.meta.dirname, "..", "..", "bin", "keyless.js");

export interface ServedKeyless {
  facts: ReadyFacts;
  /** The server's process (the launcher's own: it starts Node again in place, see bin/keyless.js). */
  pid: number;
  /** What `--seed` changed (the KEYLESS_SEEDED line), when a seed file was given. */
  seeded: { file: string; changes: { action: string; kind: string; name: string; appId?: string; secret?: string }[] } | undefined;
  stop(): Promise<void>;
}

/**
 * The developer's set-up from docs/testing-with-keyless.md: `keyless serve` on a free port with a temporary data
 * dir and an optional world file; resolves with the facts of the KEYLESS_READY line; `stop()` tears it all down.
 */
export async function serveKeyless(options: { seed?: string; env?: Record<string, string> } = {}): Promise<ServedKeyless> {
  const dataDir = mkdtempSync(join(tmpdir(), "keyless-serve-"));
  const args = [
    BIN,
    "serve",
    "--port",
    "0",
    "--data-dir",
    dataDir,
    "--log-level",
    "warn",
    ...(options.seed ? ["--seed", options.seed] : []),
  ];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KEYLESS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...(process.env.KEYLESS_TEST_TLS_CERT
      ? { KEYLESS_TLS_CERT: process.env.KEYLESS_TEST_TLS_CERT, KEYLESS_TLS_KEY: process.env.KEYLESS_TEST_TLS_KEY! }
      : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const stop = () =>
    new Promise<void>((done) => {
      const finish = () => {
        rmSync(dataDir, { recursive: true, force: true });
        done();
      };
      if (child.exitCode !== null) return finish();
      child.once("exit", finish);
      child.kill("SIGTERM");
    });
  try {
    const { facts, seeded } = await readLines(child);
    return { facts, pid: child.pid!, seeded, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function readLines(child: ChildProcess): Promise<{ facts: ReadyFacts; seeded: ServedKeyless["seeded"] }> {
  return new Promise((done, fail) => {
    let stderr = "";
    let seeded: ServedKeyless["seeded"];
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("KEYLESS_SEEDED ")) seeded = JSON.parse(line.slice("KEYLESS_SEEDED ".length));
      if (line.startsWith("KEYLESS_READY ")) done({ facts: JSON.parse(line.slice("KEYLESS_READY ".length)) as ReadyFacts, seeded });
    });
    child.once("exit", (code) =>
      fail(Object.assign(new Error(`keyless serve exited with ${code}:\n${stderr}`), { exitCode: code, stderr })),
    );
  });
}
