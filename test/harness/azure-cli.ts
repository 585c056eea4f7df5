import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Duplex } from "node:stream";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Json } from "./clients.ts";
import type { ReadyFacts } from "./keyless-process.ts";

export interface AzResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when it is JSON. */
  json: Json;
}

export interface AzureCli {
  configDir: string;
  env: Record<string, string>;
  /** Runs `az ARGS` with this cloud and config dir; never throws on a non-zero exit. */
  run(args: string[], extraEnv?: Record<string, string>): Promise<AzResult>;
  /** Runs `az ARGS` and fails with the CLI's stderr unless it exits 0. */
  ok(args: string[], extraEnv?: Record<string, string>): Promise<Json>;
  /** `az login --service-principal` as `app` (`--allow-no-subscriptions` for an identity with no role). */
  loginServicePrincipal(app: { appId: string; secret: string }, options?: { allowNoSubscriptions?: boolean }): Promise<Json>;
  /** Stops the CLI's process and removes the config dir; settles once the process has exited. */
  cleanup(): Promise<void>;
}

export const azureCliInstalled = existsSync("/usr/bin/az");

const shimDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "cli", "az-role-fix");

/**
 * az builds an index of its command modules on the first command in a config dir (about 2.5 s of CPU); each test
 * gets a fresh config dir, so the index of the first one is kept here and copied into the next ones. It is only a
 * cache: az checks the version it records and rebuilds it when it does not match.
 */
const commandIndexCache = join(tmpdir(), "keyless-test-az-command-index.json");

function seedCommandIndex(configDir: string): void {
  if (existsSync(commandIndexCache)) copyFileSync(commandIndexCache, join(configDir, "commandIndex.json"));
}

function keepCommandIndex(configDir: string): void {
  const built = join(configDir, "commandIndex.json");
  if (existsSync(commandIndexCache) || !existsSync(built)) return;
  const partial = `${commandIndexCache}.${process.pid}`;
  copyFileSync(built, partial);
  renameSync(partial, commandIndexCache);
}

/**
 * The Debian `azure-cli` 2.45 pointed at a Keyless server: a private AZURE_CONFIG_DIR, the server's CA, and a
 * registered cloud with an ADFS-style authority (docs/protocol-notes.md, "Cloud registration"). The `config` → `_config` shim
 * for its `az role` packaging bug is loaded through PYTHONPATH, in tests only.
 */
export async function azureCli(facts: ReadyFacts): Promise<AzureCli> {
  const configDir = mkdtempSync(join(tmpdir(), "keyless-az-"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: configDir,
    AZURE_CONFIG_DIR: configDir,
    // The suite runs the server on a certificate from its own test CA (scripts/run-tests.ts).
    REQUESTS_CA_BUNDLE: process.env.KEYLESS_TEST_CA ?? facts.caPath,
    AZURE_CORE_COLLECT_TELEMETRY: "false",
    AZURE_CORE_NO_COLOR: "true",
    AZURE_CORE_OUTPUT: "json",
    AZURE_CORE_ONLY_SHOW_ERRORS: "true",
    PYTHONPATH: shimDir,
  };
  const batch = azBatch(env);
  const run = async (args: string[], extraEnv: Record<string, string> = {}): Promise<AzResult> => {
    // PYTHONPATH is read when Python starts: a command that changes it gets a process of its own.
    const result = "PYTHONPATH" in extraEnv ? await azProcess(args, { ...env, ...extraEnv }) : await batch.run(args, extraEnv);
    keepCommandIndex(configDir);
    let json: Json;
    try {
      json = result.stdout.trim() === "" ? undefined : JSON.parse(result.stdout);
    } catch {
      json = undefined;
    }
    return { ...result, json };
  };
  const ok = async (args: string[], extraEnv?: Record<string, string>) => {
    const result = await run(args, extraEnv);
    if (result.code !== 0) throw new Error(`az ${args.join(" ")} exited ${result.code}:\n${result.stderr}`);
    return result.json;
  };
  const loginServicePrincipal = (app: { appId: string; secret: string }, options: { allowNoSubscriptions?: boolean } = {}) =>
    // `-p=` because a generated secret may start with "-", which argparse would take for an option.
    ok([
      "login",
      "--service-principal",
      "-u",
      app.appId,
      `-p=${app.secret}`,
      "--tenant",
      facts.tenantId,
      ...(options.allowNoSubscriptions ? ["--allow-no-subscriptions"] : []),
    ]);
  seedCommandIndex(configDir);
  registerCloud(configDir, facts);
  const cleanup = async () => {
    await batch.stop();
    rmSync(configDir, { recursive: true, force: true });
  };
  return { configDir, env, run, ok, loginServicePrincipal, cleanup };
}

type AzRun = Omit<AzResult, "json">;

/** `az ARGS` as its own process, as a user runs it. */
function azProcess(args: string[], env: Record<string, string>): Promise<AzRun> {
  return new Promise((resolve) => {
    execFile("az", args, { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The request and answer channel of a batch process: a socket pair on fd 3 (Node types extra stdio loosely). */
const channelOf = (c: ChildProcess) => c.stdio[3] as unknown as Duplex;

const batchScript = join(dirname(fileURLToPath(import.meta.url)), "az-batch.py");

/**
 * One Python process per config dir that has imported az's common modules and forks a child per command, which runs
 * az's own entry point (`az-batch.py`): the same code, fresh process state, files and HTTP as `/usr/bin/az`, without
 * a Python start and those imports per command (most of each command's CPU). Started on the first command; it does
 * not keep the test's process alive while idle.
 */
function azBatch(env: Record<string, string>) {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let queue: Promise<unknown> = Promise.resolve();
  let stray = "";
  const start = () => {
    const started = spawn("/usr/bin/python3", [batchScript], {
      env: { ...env, AZ_INSTALLER: "DEB" },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    started.stdout!.on("data", (d) => (stray += d));
    started.stderr!.on("data", (d) => (stray += d));
    exited = new Promise((done) => started.once("exit", () => done()));
    started.once("exit", () => {
      if (child === started) child = undefined;
    });
    child = started;
    idle(started);
    return started;
  };
  /** Neither the process nor its pipes keep the event loop alive between commands. */
  const idle = (c: ChildProcess) => {
    c.unref();
    for (const stream of c.stdio) (stream as { unref?: () => void } | null)?.unref?.();
  };
  const busy = (c: ChildProcess) => {
    c.ref();
    for (const stream of c.stdio) (stream as { ref?: () => void } | null)?.ref?.();
  };
  const once = (args: string[], extraEnv: Record<string, string>) =>
    new Promise<AzRun>((resolve) => {
      const c = child ?? start();
      const channel = channelOf(c);
      let answer = "";
      const onData = (d: Buffer) => {
        answer += d;
        const end = answer.indexOf("\n");
        if (end < 0) return;
        finish(JSON.parse(answer.slice(0, end)) as AzRun);
      };
      const onExit = () => finish({ code: 1, stdout: "", stderr: `the az batch process exited:\n${stray}` });
      const finish = (result: AzRun) => {
        channel.off("data", onData);
        c.off("exit", onExit);
        idle(c);
        resolve(result);
      };
      busy(c);
      channel.on("data", onData);
      c.once("exit", onExit);
      channel.write(`${JSON.stringify({ args, env: extraEnv })}\n`);
    });
  return {
    /** Commands run in the order they were asked for, one at a time, as in a terminal. */
    run(args: string[], extraEnv: Record<string, string>): Promise<AzRun> {
      const result = queue.then(() => once(args, extraEnv));
      queue = result.catch(() => undefined);
      return result;
    },
    async stop(): Promise<void> {
      await queue;
      if (child) channelOf(child).end();
      await exited;
    },
  };
}

/**
 * What `az cloud register -n Keyless --cloud-config @file` and `az cloud set -n Keyless` write, written directly:
 * two az runs (about a second of CPU and a Python start each) saved per fixture. The commands themselves are tested
 * in cli-az-config.test.ts, with the document `keyless cloud az-config` prints.
 */
function registerCloud(configDir: string, facts: ReadyFacts): void {
  const { endpoints } = cloudConfig(facts);
  const clouds = [
    "[Keyless]",
    `endpoint_management = ${endpoints.management}`,
    `endpoint_resource_manager = ${endpoints.resourceManager}`,
    `endpoint_active_directory = ${endpoints.activeDirectory}`,
    `endpoint_active_directory_resource_id = ${endpoints.activeDirectoryResourceId}`,
    `endpoint_active_directory_graph_resource_id = ${endpoints.activeDirectoryGraphResourceId}`,
    `endpoint_microsoft_graph_resource_id = ${endpoints.microsoftGraphResourceId}`,
    "",
  ];
  writeFileSync(join(configDir, "clouds.config"), clouds.join("\n"));
  writeFileSync(join(configDir, "config"), "[cloud]\nname = Keyless\n\n", { mode: 0o600 });
}

/** The `az cloud register --cloud-config` document for a Keyless server. */
export function cloudConfig(facts: ReadyFacts) {
  return {
    endpoints: {
      activeDirectory: `${facts.url}/adfs`,
      activeDirectoryResourceId: "https://management.core.windows.net/",
      activeDirectoryGraphResourceId: "https://graph.windows.net/",
      microsoftGraphResourceId: `${facts.url}/graph/`,
      resourceManager: `${facts.url}/`,
      management: "https://management.core.windows.net/",
    },
  };
}

/** A command line as a user types it, split into arguments at spaces (for arguments without spaces). */
export const words = (line: string): string[] => line.split(" ").filter(Boolean);
