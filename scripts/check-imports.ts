/**
 * Enforces the module import direction of docs/architecture.md ("Modules"). Every import, `export … from` and
 * dynamic `import()` in src/ is checked against the module map below; `import type` counts too. `src/main.ts` and `src/bootstrap.ts` are the composition root and may import anything.
 *
 * It also refuses import cycles between files of src/ (type-only imports included): shared types go to a leaf file
 * both sides import (e.g. `tokens/token-request.ts`, `storage/dialect.ts`), so a file's imports read as layers.
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
  testing: ["core", "config", "cli", "client", "main.ts"],
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
const graph = new Map<string, string[]>();
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  const targets: string[] = [];
  for (const { fileName } of importedFiles) {
    const problem = check(file, fileName);
    if (problem) violations.push(problem);
    if (fileName.startsWith(".")) targets.push(resolve(dirname(file), fileName));
  }
  graph.set(file, targets);
}
const cycles = importCycles(graph);

if (violations.length > 0 || cycles.length > 0) {
  if (violations.length > 0)
    process.stderr.write(`${violations.join("\n")}\n${violations.length} import(s) break the module direction in docs/architecture.md.\n`);
  for (const cycle of cycles)
    process.stderr.write(`import cycle: ${cycle.map((f) => `src/${relative(SRC, f).split(sep).join("/")}`).join(" → ")}\n`);
  if (cycles.length > 0)
    process.stderr.write(`${cycles.length} import cycle(s): move what both sides need into a file that imports neither.\n`);
  process.exit(1);
}
process.stdout.write(`import direction and no cycles: ${files.length} files OK\n`);

/**
 * One cycle (as a path that returns to its start) for each group of files that import each other, directly or
 * through others: the strongly connected components of the import graph (Tarjan), each shown by its shortest loop
 * through its first file.
 */
function importCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || edges.get(file)?.includes(file)) components.push(component);
  };
  for (const file of edges.keys()) if (!index.has(file)) visit(file);
  return components.map((component) => shortestLoop(edges, new Set(component), component.sort()[0]!));
}

/** The shortest path from `start` back to itself through `members` (breadth first). */
function shortestLoop(edges: ReadonlyMap<string, readonly string[]>, members: ReadonlySet<string>, start: string): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    for (const next of edges.get(file) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path: string[] = [];
        for (let at: string | undefined = file; at !== undefined && at !== start; at = previous.get(at)) path.unshift(at);
        return [start, ...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return [start, start];
}
