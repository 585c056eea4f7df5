// `npm pack` runs this (prepack): Node does not strip types under node_modules, so the package ships JavaScript.
// The sources use erasable syntax only, so each file is Node's own type stripping of it (line and column kept)
// with relative `.ts` imports pointed at `.js`; `npm run check` is what type-checks them. keyless/testing's type
// declarations come from tsc (tsconfig.build.json); the portal's static files (vite) go to dist/build/portal, where
// the compiled src/http looks for them. The checkout itself runs the TypeScript.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "dist");

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "web" ? [] : typeScriptFiles(path); // the portal is vite's
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** `from "./x.ts"`, `import("../x.ts")`, `import "./x.ts"` → `.js` (relative specifiers only, as tsc's rewrite). */
function rewriteImports(code: string): string {
  return code.replace(/((?:\bfrom|\bimport)\s*\(?\s*)(["'])(\.\.?\/[^"']+)\.ts\2/g, "$1$2$3.js$2");
}

rmSync(out, { recursive: true, force: true });
for (const file of [...typeScriptFiles(join(root, "src")), join(root, "bin", "keyless-main.ts")]) {
  const target = join(out, relative(root, file)).replace(/\.ts$/, ".js");
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, rewriteImports(stripTypeScriptTypes(readFileSync(file, "utf8"), { mode: "strip" })));
}
// Files the code reads beside itself: the az 2.45 `az role` fix (src/cli/az-role-fix).
cpSync(join(root, "src", "cli", "az-role-fix"), join(out, "src", "cli", "az-role-fix"), { recursive: true });
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
