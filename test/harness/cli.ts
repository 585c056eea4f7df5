import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RESOURCES } from "../../src/client/token-client.ts";
import { restErrorFrom } from "../../src/client/rest-error.ts";
import type { HttpRequest, HttpResponse, Transport } from "../../src/client/transport.ts";
import { runCli } from "../../src/cli/main.ts";
import { openProfile } from "../../src/cli/profile.ts";

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

/** Runs the CLI in this process (as `run(opts, io)` is meant to be tested), with an optional scripted transport. */
export async function runInProcess(
  argv: readonly string[],
  options: { env?: Record<string, string>; transport?: Transport; input?: string[] } = {},
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
      sleep: async () => {},
    },
    options.transport ? { transport: () => options.transport! } : {},
  );
  return { code, stdout, stderr };
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
