// `npm pack` runs this (prepack): Node does not strip types under node_modules, so the package ships JavaScript,
// bundled: rolldown (vite's bundler) turns the CLI's and keyless/testing's module graphs (about 1,100 files, ours and
// our dependencies') into a few files, because loading them one by one was most of a first `startKeyless()`
// (docs/benchmarks.md, keyless/testing). Packages loaded only when configured stay outside and load from the
// package's node_modules: pg, ioredis, OpenTelemetry, prom-client, the tokenizer's ranks, and @azure/identity (the
// user's own). The chunks go to dist/src/bundle, two levels below dist like src/<module>/ below the checkout, so the
// paths the code computes from `import.meta.dirname` (the portal in ../../build/portal, the az fix in
// ../../az-role-fix, bin/keyless.js) land where this script puts those files. `npm run check` type-checks the
// sources; keyless/testing's type declarations come from tsc (tsconfig.build.json). The checkout itself runs the
// TypeScript.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "rolldown";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "dist");

/** Loaded on demand when configured (or the user's own), resolved from node_modules at run time. */
const EXTERNAL = [/^node:/, /^@azure\//, /^pg$/, /^ioredis$/, /^@opentelemetry\//, /^prom-client$/, /^gpt-tokenizer\//];

rmSync(out, { recursive: true, force: true });
await build({
  cwd: root,
  input: { "keyless-main": join(root, "bin", "keyless-main.ts"), testing: join(root, "src", "testing", "index.ts") },
  platform: "node",
  external: EXTERNAL,
  logLevel: "warn",
  output: { dir: join(out, "src", "bundle"), format: "esm", chunkFileNames: "[name]-[hash].js", comments: { legal: true } },
});
// Files the code reads beside itself: the az 2.45 `az role` fix (src/cli/az-role-fix), two levels above the chunks.
cpSync(join(root, "src", "cli", "az-role-fix"), join(out, "az-role-fix"), { recursive: true });
execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});
const portal = join(root, "build", "portal");
if (!existsSync(join(portal, "index.html"))) {
  execFileSync(
    process.execPath,
    [join(root, "node_modules", "vite", "bin", "vite.js"), "build", "--config", join(root, "scripts", "portal-vite.config.ts")],
    {
      stdio: "inherit",
    },
  );
}
cpSync(portal, join(out, "build", "portal"), { recursive: true });
