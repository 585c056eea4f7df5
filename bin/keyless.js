#!/usr/bin/env node
// Launcher for the `keyless` CLI. The sources are TypeScript run through Node's type stripping (Node >= 24,
// the version the project pins). Under an older node this re-executes itself with the pinned node binary.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const major = Number(process.versions.node.split(".")[0]);

if (major < 24) {
  const pinned = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(pinned)) {
    process.stderr.write(`ERROR: keyless needs Node.js 24 or newer (this is ${process.version}); run 'npm install' in ${root}.\n`);
    process.exit(1);
  }
  const result = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}

// Type stripping is stable in Node 24 but still announces itself once; keep stderr for the CLI's own messages.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  if (String(warning).includes("Type Stripping")) return;
  emitWarning.call(process, warning, ...rest);
};
const { main } = await import("./keyless-main.ts");
process.exitCode = await main(process.argv.slice(2));
