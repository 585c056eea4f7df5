import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RESOURCES } from "../../src/client/token-client.ts";
import { restErrorFrom } from "../../src/client/rest-error.ts";
import type { HttpRequest, HttpResponse, Transport } from "../../src/client/transport.ts";
import { runCli } from "../../src/cli/main.ts";
import { openProfile } from "../../src/cli/profile.ts";
import type { Json } from "./clients.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = resolve(import.meta.dirname, "..", "..", "bin", "keyless.js");

/** Runs the real `keyless` binary as a subprocess. */
export function runBinary(argv: readonly string[], env: Record<string, string | undefined>): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.once("error", fail);
    child.once("exit", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * Runs the CLI in this process (as `run(opts, io)` is meant to be tested), with an optional scripted transport.
 * Waits (polling a long-running operation) return at once unless `realSleep` is set, as against a real server.
 */
export async function runInProcess(
  argv: readonly string[],
  options: { env?: Record<string, string>; transport?: Transport; input?: string[]; realSleep?: boolean } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const input = [...(options.input ?? [])];
  const code = await runCli(
    argv,
    {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env: options.env ?? {},
      readLine: async () => input.shift(),
      sleep: options.realSleep ? (ms) => new Promise((done) => setTimeout(done, ms)) : async () => {},
    },
    options.transport ? { transport: () => options.transport! } : {},
  );
  return { code, stdout, stderr };
}

/** The `keyless` CLI pointed at one test server, with a config dir of its own. */
export interface KeylessCli {
  /** The environment every command gets: KEYLESS_CONFIG_DIR and the `extra` variables. */
  env: Record<string, string>;
  /** Runs `keyless ARGV`; never throws on a non-zero exit. */
  run(...argv: string[]): Promise<CliRun>;
  /** Runs `keyless ARGV` and fails with its stderr unless it exits 0; returns stdout. */
  ok(...argv: string[]): Promise<string>;
  /** `ok`, with stdout parsed as JSON. */
  json(...argv: string[]): Promise<Json>;
  /** Removes the config dir. */
  cleanup(): void;
}

export interface KeylessCliOptions {
  /** Environment variables beside KEYLESS_CONFIG_DIR (a managed identity's MSI_ENDPOINT, …). */
  extra?: Record<string, string>;
  /** The real binary as a subprocess, for tests of the process itself; in this process (`runInProcess`) otherwise. */
  binary?: boolean;
  /** Signs in as the server's administrator (`login -u … -p …`) after registering the cloud. */
  signIn?: { username: string; password: string };
  /** Signs in as an application instead (`login --service-principal -u APP_ID -p SECRET --tenant …`). */
  signInApp?: { appId: string; secret: string };
}

/**
 * A `keyless` CLI with a new config dir in which the test server is registered as the active cloud (`cloud register
 * --ca-file` with the suite's CA), optionally signed in. Commands run in this process unless `binary` is set: the
 * same command table, printer and exit codes, without a Node start (about half a second of CPU) per command.
 */
export async function keylessCli(
  facts: { url: string; caPath: string; tenantId: string },
  options: KeylessCliOptions = {},
): Promise<KeylessCli> {
  const home = mkdtempSync(join(tmpdir(), "keyless-cli-"));
  const env = { KEYLESS_CONFIG_DIR: join(home, "config"), ...options.extra };
  const run = (...argv: string[]) => (options.binary ? runBinary(argv, env) : runInProcess(argv, { env, realSleep: true }));
  const ok = async (...argv: string[]) => {
    const result = await run(...argv);
    if (result.code !== 0) throw new Error(`keyless ${argv.join(" ")} exited ${result.code}:\n${result.stderr}`);
    return result.stdout;
  };
  await ok("cloud", "register", "-n", "local", "--endpoint", facts.url, "--ca-file", process.env.KEYLESS_TEST_CA ?? facts.caPath);
  if (options.signIn) await ok("login", "-u", options.signIn.username, "-p", options.signIn.password, "-o", "none");
  if (options.signInApp) {
    const { appId, secret } = options.signInApp;
    await ok("login", "--service-principal", "-u", appId, `--password=${secret}`, "--tenant", facts.tenantId, "-o", "none");
  }
  return {
    env,
    run,
    ok,
    json: async (...argv) => JSON.parse(await ok(...argv)),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** A config dir with a registered cloud and a signed-in account whose tokens do not expire during a test. */
export function signedInConfigDir(
  subscriptionId = "00000000-0000-0000-0000-0000000000aa",
  tenantId = "00000000-0000-0000-0000-0000000000bb",
): string {
  const dir = mkdtempSync(join(tmpdir(), "keyless-cli-"));
  const profile = openProfile(dir);
  profile.putCloud({ name: "test", endpoint: "https://keyless.test" });
  profile.setActiveCloud("test");
  const expiresOn = Math.floor(Date.now() / 1000) + 3600;
  profile.putCredential("test", {
    kind: "user",
    tenantId,
    username: "admin@keyless.test",
    tokens: Object.fromEntries(Object.values(RESOURCES).map((r) => [r, { accessToken: `token-for-${r}`, expiresOn }])),
  });
  profile.putAccounts("test", "admin@keyless.test", [
    {
      cloudName: "test",
      id: subscriptionId,
      name: "Test",
      state: "Enabled",
      tenantId,
      homeTenantId: tenantId,
      isDefault: true,
      user: { name: "admin@keyless.test", type: "user" },
    },
  ]);
  return dir;
}

export type Responder = (req: HttpRequest) => { status?: number; body?: unknown; headers?: Record<string, string> } | undefined;

/**
 * Stands in for a server surface that lives on another branch: records each request and answers from the
 * test's responder (404 when it has no answer), so the request a command builds can be checked exactly.
 */
export function recordingTransport(responder: Responder): Transport & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  const answer = async (req: HttpRequest): Promise<HttpResponse> => {
    requests.push(req);
    const reply = responder(req) ?? {
      status: 404,
      body: { error: { code: "ResourceNotFound", message: `No answer scripted for ${req.method} ${req.url}` } },
    };
    const status = reply.status ?? 200;
    if (status >= 400) throw restErrorFrom(status, reply.body);
    return { status, headers: reply.headers ?? {}, body: reply.body };
  };
  return {
    requests,
    send: answer,
    async stream(req) {
      const { body } = await answer(req);
      return (async function* () {
        yield Buffer.from(String(body));
      })();
    },
    close: async () => {},
  };
}
