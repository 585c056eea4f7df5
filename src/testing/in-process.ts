import { loadConfig } from "../config/load.ts";
import { startKeyless } from "../main.ts";
import type { ReadyFacts, ServerProcess } from "./server-process.ts";

/**
 * The server in the test process itself (Node 24 only: node:sqlite), on a data dir a child already prepared. Used by
 * `reset()`: a restart without a new process or module loading is what makes it fast.
 */
export async function startInProcess(options: { dataDir: string; facts: ReadyFacts; env: Record<string, string> }): Promise<ServerProcess> {
  const config = loadConfig({
    env: {
      KEYLESS_LOG_LEVEL: "warn",
      ...options.env,
      KEYLESS_DATA_DIR: options.dataDir,
      KEYLESS_PORT: String(options.facts.port),
      KEYLESS_HOST: "127.0.0.1",
    },
  });
  const running = await startKeyless(config);
  return { facts: options.facts, seeded: [], stop: () => running.close() };
}
