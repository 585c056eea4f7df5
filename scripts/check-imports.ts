/**
 * Enforces the module import direction of docs/architecture.md ("Modules"). Every import, `export … from` and
 * dynamic `import()` in src/ is checked against the module map below; `import type` counts too. `src/main.ts` and `src/bootstrap.ts` are the composition root and may import anything.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

const SRC = resolve(import.meta.dirname, "..", "src");
const ROOT_FILES = new Set(["main.ts", "bootstrap.ts"]);

/** Which other modules each module may import (its own files are always allowed). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  config: ["core"],
  storage: ["core", "config"],
  directory: ["core", "storage"],
  tokens: ["core", "config", "storage"],
  authz: ["core", "storage"],
  arm: ["core", "storage"],
  graph: ["core"],
  inference: ["core", "config"],
  audit: ["core", "storage"],
  telemetry: ["core"],
  http: ["core", "config", "storage", "directory", "tokens", "authz", "arm", "graph", "inference", "audit", "telemetry"],
  cli: ["core", "client", "config"],
  client: ["core"],
  testing: ["core", "config", "main.ts"],
  web: ["client"],
};

/** The module a path under src/ belongs to: its first segment (a top-level file is its own "module"). */
function moduleOf(pathFromSrc: string): string {
  return pathFromSrc.split(sep)[0]!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** A violation message for one import, or undefined when the import is allowed. */
function check(file: string, specifier: string): string | undefined {
  const from = relative(SRC, file);
  const source = moduleOf(from);
  if (ROOT_FILES.has(from)) return undefined;
  const display = `src/${from.split(sep).join("/")}`;
  if (!specifier.startsWith(".")) {
    if (source !== "core" || specifier.startsWith("node:")) return undefined;
    return `${display} imports ${specifier} (core may import only node: builtins)`;
  }
  const target = relative(SRC, resolve(dirname(file), specifier));
  if (target.startsWith("..")) return `${display} imports ${specifier} (${source} → outside src/ is not allowed)`;
  const targetModule = moduleOf(target);
  if (targetModule === source || ALLOWED[source]?.includes(targetModule)) return undefined;
  return `${display} imports src/${target.split(sep).join("/")} (${source} → ${targetModule.replace(/\.tsx?$/, "")} is not allowed)`;
}

const files = sourceFiles(SRC).sort();
const violations: string[] = [];
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  for (const { fileName } of importedFiles) {
    const problem = check(file, fileName);
    if (problem) violations.push(problem);
  }
}

if (violations.length > 0) {
  process.stderr.write(`${violations.join("\n")}\n${violations.length} import(s) break the module direction in docs/architecture.md.\n`);
  process.exit(1);
}
process.stdout.write(`import direction: ${files.length} files OK\n`);
