/**
 * Composition root of the `keyless` CLI: the command table plus the one thing the CLI module may not import
 * itself, the server (`keyless serve`), loaded only when asked for so other commands start fast.
 */
import { UsageError } from "../src/cli/cli-error.ts";
import type { ServeHook } from "../src/cli/command.ts";
import { processIo, runCli } from "../src/cli/main.ts";

const serveHook: ServeHook = async (argv, env) => {
  const { serve, startupReport } = await import("../src/main.ts");
  const { ConfigError } = await import("../src/config/load.ts");
  const { ModelsFileError } = await import("../src/inference/model-config.ts");
  const { FederationFileError } = await import("../src/tokens/federation.ts");
  try {
    const { running, config, closed, close } = await serve(argv, env, () => {});
    return {
      url: running.url,
      caPath: running.tls.caPath,
      tenantId: running.facts.tenantId,
      adminUsername: running.facts.adminUsername,
      adminPassword: config.adminPassword ?? running.facts.generatedAdminPassword,
      report: startupReport(running, config),
      closed,
      close,
    };
  } catch (err) {
    const badFile = err instanceof ConfigError || err instanceof ModelsFileError || err instanceof FederationFileError;
    throw badFile ? new UsageError(err.message) : err;
  }
};

export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, processIo(), { serve: serveHook });
}
