import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyWorldAsAdministrator } from "../cli/world/seed-server.ts";
import { parseWorld } from "../cli/world/world-file.ts";
import { loadConfig } from "../config/load.ts";
import { readBoundedText } from "../config/yaml-input.ts";
import { type RunningKeyless, startKeyless } from "../main.ts";
import type { ReadyFacts, SeedChange, ServerProcess } from "./server-process.ts";

/**
 * The server in the test process itself (Node 24 only: node:sqlite). On a new data dir (`startKeyless`'s first
 * start, with the world applied as `keyless serve --seed` does) or on one already prepared (`reset()`): no child
 * process, and the server's modules are loaded once per test process.
 */
export async function startInProcess(options: {
  dataDir: string;
  port: number;
  env: Record<string, string>;
  world?: string | undefined;
}): Promise<ServerProcess> {
  // The world file is read and checked before anything starts, as `serve --seed` does.
  const world = options.world === undefined ? undefined : parseWorld(readBoundedText(options.world), options.world);
  const config = loadConfig({
    env: {
      KEYLESS_LOG_LEVEL: "warn",
      ...options.env,
      KEYLESS_DATA_DIR: options.dataDir,
      KEYLESS_PORT: String(options.port),
      KEYLESS_HOST: "127.0.0.1",
    },
  });
  const tls = join(options.dataDir, "tls");
  const reuse = !existsSync(tls) && localTls;
  if (reuse) {
    mkdirSync(tls, { recursive: true, mode: 0o700 });
    for (const [name, pem] of reuse) writeFileSync(join(tls, name), pem, { mode: 0o600 });
  }
  const running = await startKeyless(config);
  if (!localTls && existsSync(tls) && !options.env.KEYLESS_TLS_CERT)
    localTls = new Map(readdirSync(tls).map((name) => [name, readFileSync(join(tls, name), "utf8")]));
  const facts = readyFacts(running);
  let seeded: SeedChange[] = [];
  if (world) {
    try {
      seeded = await applyWorldAsAdministrator(world, {
        url: facts.url,
        caPath: facts.caPath,
        tenantId: facts.tenantId,
        adminUsername: facts.adminUsername,
        adminPassword: config.adminPassword ?? running.facts.generatedAdminPassword,
      });
    } catch (err) {
      await running.close();
      throw err;
    }
  }
  return { facts, seeded, stop: () => running.close() };
}

/**
 * The local CA and server certificate of the first server this process started (two RSA keys to generate, most of
 * a first start's time): later servers of the process are given the same files, in memory only. Every server
 * listens on 127.0.0.1, which the certificate names.
 */
let localTls: Map<string, string> | undefined;

/** What the KEYLESS_READY line says, from the running server. */
function readyFacts(running: RunningKeyless): ReadyFacts {
  const { facts } = running;
  return {
    url: running.url,
    port: running.port,
    caPath: running.tls.caPath,
    tenantId: facts.tenantId,
    subscriptionId: facts.subscriptionId,
    adminUsername: facts.adminUsername,
    demo: facts.demo ? { ...facts.demo, endpoint: `${running.url}/accounts/${facts.demo.account}/models` } : null,
  };
}
