/**
 * Enforces the module import direction of docs/architecture.md ("Modules"). Every import, `export … from` and
 * dynamic `import()` in src/ is checked against the module map below; `import type` counts too. `src/main.ts` and `src/bootstrap.ts` are the composition root and may import anything.
 *
 * It also refuses import cycles between files of src/ (type-only imports included): shared types go to a leaf file
 * both sides import (e.g. `tokens/token-request.ts`, `storage/dialect.ts`), so a file's imports read as layers.
 *
 * And it refuses an export of src/ that no other file imports (src, test, bench, scripts, bin): a name used only in
 * its own file is not exported, so a file's exports are what other files really use.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

const ROOT = resolve(import.meta.dirname, "..");
const SRC = join(ROOT, "src");
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

/** The package's entry points: every export of these is public. */
const PACKAGE_ENTRIES: Readonly<Record<string, string>> = { "keyless/testing": join(SRC, "testing", "index.ts") };

/**
 * Types no other file imports but whose names the generated declarations of `keyless/testing` need (they appear in
 * the inferred type of an export another file uses; tsc's declaration emit fails when it cannot name them).
 */
const DECLARATION_NAMES: Readonly<Record<string, readonly string[]>> = {
  "arm/rai-policies.ts": ["BlocklistRefSpec", "ContentFilterSpec"],
  "arm/template-deployments/what-if.ts": ["WhatIfChange"],
  "directory/groups.ts": ["GroupChanges", "NewGroup"],
  "directory/users.ts": ["UserChanges"],
  "inference/chat-types.ts": ["AssistantMessage"],
  "storage/arm-store.ts": ["ArmOperationRecord"],
  "storage/deployment-store.ts": ["DeploymentResultRecord"],
  "storage/grant-store.ts": ["AuthorizationCodeRecord", "DeviceCodeRecord"],
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
const unused = unusedExports();

if (violations.length > 0 || cycles.length > 0 || unused.length > 0) {
  if (violations.length > 0)
    process.stderr.write(`${violations.join("\n")}\n${violations.length} import(s) break the module direction in docs/architecture.md.\n`);
  for (const cycle of cycles)
    process.stderr.write(`import cycle: ${cycle.map((f) => `src/${relative(SRC, f).split(sep).join("/")}`).join(" → ")}\n`);
  if (cycles.length > 0)
    process.stderr.write(`${cycles.length} import cycle(s): move what both sides need into a file that imports neither.\n`);
  if (unused.length > 0)
    process.stderr.write(
      `${unused.join("\n")}\n${unused.length} export(s) that no other file imports: remove the \`export\` (or, when keyless/testing's declarations need the name, list it in DECLARATION_NAMES).\n`,
    );
  process.exit(1);
}
process.stdout.write(`import direction, no cycles, no unused exports: ${files.length} files OK\n`);

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

/**
 * The exports of src/ that no other file imports, as `src/file.ts:line name`. Read from the syntax of every file of
 * src, test, bench, scripts and bin: named imports and re-exports count their names, a namespace import, `export *`
 * and a dynamic `import()` count every name of their module, `import("…").Name` types count Name.
 */
function unusedExports(): string[] {
  const exported = new Map<string, Map<string, number>>();
  const used = new Map<string, Set<string>>();
  const use = (file: string | undefined, name: string) => {
    if (file === undefined) return;
    const names = used.get(file) ?? new Set<string>();
    names.add(name);
    used.set(file, names);
  };
  const consumers = ["src", "test", "bench", "scripts", "bin"].flatMap((dir) => codeFiles(join(ROOT, dir)));
  for (const file of consumers) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, scriptKind(file));
    const inSrc = file.startsWith(`${SRC}${sep}`);
    const names = new Map<string, number>();
    const declare = (name: string, node: ts.Node) => {
      if (inSrc) names.set(name, source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const target = resolveModule(file, node.moduleSpecifier.text);
        const clause = node.importClause;
        if (clause?.name) use(target, "default");
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) use(target, "*");
        if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) use(target, (e.propertyName ?? e.name).text);
      } else if (ts.isExportDeclaration(node)) {
        const target =
          node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? resolveModule(file, node.moduleSpecifier.text) : undefined;
        if (node.moduleSpecifier && (!node.exportClause || !ts.isNamedExports(node.exportClause))) use(target, "*");
        else if (node.exportClause && ts.isNamedExports(node.exportClause))
          for (const e of node.exportClause.elements) {
            if (node.moduleSpecifier) use(target, (e.propertyName ?? e.name).text);
            declare(e.name.text, e);
          }
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const specifier = node.arguments[0];
        if (specifier && ts.isStringLiteralLike(specifier)) use(resolveModule(file, specifier.text), "*");
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        const qualifier = node.qualifier;
        use(resolveModule(file, node.argument.literal.text), qualifier && ts.isIdentifier(qualifier) ? qualifier.text : "*");
      } else if (ts.isExportAssignment(node)) {
        declare("default", node);
      } else if (node.parent === source && ts.canHaveModifiers(node)) {
        const modifiers = ts.getModifiers(node) ?? [];
        if (modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
          if (modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) declare("default", node);
          else if (ts.isVariableStatement(node)) {
            for (const d of node.declarationList.declarations) if (ts.isIdentifier(d.name)) declare(d.name.text, d);
          } else {
            const name = (node as ts.DeclarationStatement).name;
            if (name && ts.isIdentifier(name)) declare(name.text, node);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    if (names.size > 0) exported.set(file, names);
  }
  const entries = new Set(Object.values(PACKAGE_ENTRIES));
  const unused: string[] = [];
  for (const [file, names] of exported) {
    const imported = used.get(file);
    if (entries.has(file) || imported?.has("*")) continue;
    const fromSrc = relative(SRC, file).split(sep).join("/");
    for (const [name, line] of names)
      if (!imported?.has(name) && !DECLARATION_NAMES[fromSrc]?.includes(name)) unused.push(`src/${fromSrc}:${line} ${name}`);
  }
  return unused;
}

function codeFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : codeFiles(path);
    return /\.(tsx?|m?js)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

function scriptKind(file: string): ts.ScriptKind {
  if (file.endsWith(".tsx")) return ts.ScriptKind.TSX;
  return /\.m?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
}

/** The file a specifier names: relative (`.js` standing for `.ts` as well), or one of the package's entry points. */
function resolveModule(from: string, specifier: string): string | undefined {
  if (PACKAGE_ENTRIES[specifier]) return PACKAGE_ENTRIES[specifier];
  if (!specifier.startsWith(".")) return undefined;
  const path = resolve(dirname(from), specifier);
  if (existsSync(path)) return path;
  const typescript = path.replace(/\.js$/, ".ts");
  return existsSync(typescript) ? typescript : undefined;
}
