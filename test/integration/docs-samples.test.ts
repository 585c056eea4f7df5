/**
 * The documentation runs as written: every shell (```sh, ```bash), TypeScript/JavaScript (```ts, ```js) and Python
 * (```python) sample of README.md and docs/*.md is run, and a sample that fails or drifts fails this test.
 *
 * A fence's info string may carry markers after the language:
 * - `no-test: REASON` — not run; the reason says why (it must).
 * - `group=NAME` — a walkthrough: the samples with the same group run in order (README.md first, then docs/ A–Z,
 *   so a page may go on from the README's walkthrough) as one bash script (`set -eo pipefail`) in one working directory, sharing variables; a TypeScript, JavaScript or Python
 *   sample in a group is saved to its file and run from the script (`node FILE`, `node --test FILE` for a
 *   node:test file, `python3 FILE`). A sample without a group is a walkthrough of its own.
 * - `serve` — the sample starts a server in the foreground: it runs in the background in its own process group,
 *   the walkthrough goes on once the server printed its KEYLESS_READY line, and at the end it gets SIGINT (Ctrl-C)
 *   and must be gone within 15 s.
 * - `exit=N` — the sample must exit with N (a documented refusal).
 * - `file=NAME` — the file a sample is saved as; a fence of another language (yaml, json) with `file=` is not run
 *   but written into the working directory of every walkthrough of its document (the world file, say).
 * - `needs=az` / `needs=python3-azure` — a Debian package the sample needs; without it that sample is skipped,
 *   saying so.
 * - `dir=PATH` — the sample is one of this repository's own test files: it is saved in PATH (under a dotted name)
 *   and run there with `node --test` in the test runner's environment.
 *
 * Each walkthrough runs in a fresh directory inside the checkout (so `npx keyless`, `node_modules/.bin/keyless`
 * and `import "keyless/testing"` reach this checkout's code, and installed packages resolve), with its own HOME
 * (so the keyless CLI's profile and az's config are private), no KEYLESS_/AZURE_ variables and no trusted CA
 * from outside: the samples must set up what a reader would. `python3` is Debian's /usr/bin/python3. The one change made to a sample: the default port
 * `localhost:8443` becomes a free port, which KEYLESS_PORT also names (the machine is shared). After a walkthrough
 * no process it started may still run.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";

const ROOT = resolve(import.meta.dirname, "..", "..");
const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const RUN_LANGUAGES: Record<string, "sh" | "ts" | "js" | "python"> = {
  sh: "sh",
  bash: "sh",
  ts: "ts",
  typescript: "ts",
  js: "js",
  javascript: "js",
  mjs: "js",
  python: "python",
  py: "python",
};
const MARKERS = new Set(["group", "serve", "exit", "file", "needs", "dir"]);

interface Fence {
  doc: string;
  line: number;
  language: string;
  body: string;
  markers: Map<string, string>;
  noTest?: string;
}

/** The fenced blocks of a Markdown file with their info-string markers. */
function fences(doc: string, text: string): Fence[] {
  const found: Fence[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const markers = new Map<string, string>();
    let noTest: string | undefined;
    let info = open[2]!.trim();
    const skip = /(?:^|\s)no-test:\s*(.*)$/.exec(info);
    if (skip) {
      noTest = skip[1]!.trim();
      info = info.slice(0, skip.index).trim();
    }
    for (const token of info.split(/\s+/).filter(Boolean)) {
      const [key, value] = token.includes("=") ? [token.slice(0, token.indexOf("=")), token.slice(token.indexOf("=") + 1)] : [token, ""];
      markers.set(key!, value!);
    }
    found.push({
      doc,
      line: start + 1,
      language: open[1]!.toLowerCase(),
      body: `${body.join("\n")}\n`,
      markers,
      ...(noTest !== undefined ? { noTest } : {}),
    });
  }
  return found;
}

const where = (f: Fence) => `${f.doc}:${f.line}`;

/** Whether a Debian package a sample needs is there, or why not. */
const missing: Record<string, () => string | undefined> = {
  az: () => (existsSync("/usr/bin/az") ? undefined : "azure-cli (Debian package) is not installed"),
  "python3-azure": () =>
    spawnSync("/usr/bin/python3", ["-c", "import azure.identity, requests"]).status === 0
      ? undefined
      : "python3-azure with azure.identity (Debian package) is not installed for /usr/bin/python3",
};

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Whether any process of the group `pgid` still runs. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pgid: number, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (!groupAlive(pgid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !groupAlive(pgid);
}

/** A working directory inside the checkout whose node_modules gives this checkout's `keyless` and `keyless/testing`. */
function workDir(files: Fence[]): string {
  const base = join(ROOT, ".docs-samples");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, "run-"));
  mkdirSync(join(dir, "home"));
  // A project of its own, as a reader's: `keyless/testing` resolves to node_modules/keyless below, not to the
  // checkout's package (whose exports point at the build in dist/).
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "docs-sample", private: true, type: "module" }));
  // `python3` is Debian's, whose packages (python3-azure) the Python samples use.
  mkdirSync(join(dir, "bin"));
  symlinkSync("/usr/bin/python3", join(dir, "bin", "python3"));
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(join(ROOT, "bin", "keyless.js"), join(dir, "node_modules", ".bin", "keyless"));
  const pkg = join(dir, "node_modules", "keyless");
  mkdirSync(pkg);
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({ name: "keyless", type: "module", exports: { "./testing": "./testing.js" }, bin: { keyless: "../.bin/keyless" } }),
  );
  writeFileSync(join(pkg, "testing.js"), `export * from ${JSON.stringify(join(ROOT, "src", "testing", "index.ts"))};\n`);
  for (const file of files) writeFileSync(join(dir, file.markers.get("file")!), file.body);
  return dir;
}

/** The environment of a reader's terminal: nothing of this test run's server, CA, CLI profile or az config. */
function readerEnv(dir: string, port: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(KEYLESS_|AZURE_|NODE_TEST_CONTEXT$|NODE_EXTRA_CA_CERTS$|REQUESTS_CA_BUNDLE$|PYTHONPATH$)/.test(key))
      continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: join(dir, "home"),
    PATH: [join(dir, "bin"), join(dir, "node_modules", ".bin"), join(ROOT, "node_modules", ".bin"), process.env.PATH].join(":"),
    KEYLESS_PORT: String(port),
    AZURE_CORE_COLLECT_TELEMETRY: "false",
    npm_config_update_notifier: "false",
  };
}

const fileName = (f: Fence, ext: string) => f.markers.get("file") ?? `sample-${f.line}.${ext}`;
const isNodeTest = (f: Fence) => /from\s+["']node:test["']/.test(f.body);

/** The bash script of one walkthrough; programs are written next to it. */
function script(samples: Fence[], dir: string, port: number): string {
  const parts = ["set -eo pipefail", `cd ${JSON.stringify(dir)}`];
  for (const [index, f] of samples.entries()) {
    const body = f.body.replaceAll("localhost:8443", `localhost:${port}`);
    const kind = RUN_LANGUAGES[f.language]!;
    parts.push(`echo ${JSON.stringify(`── docs sample ${where(f)}`)} >&2`);
    let run: string;
    if (kind === "sh") run = body;
    else {
      const file = fileName(f, kind === "python" ? "py" : kind === "ts" ? "mts" : "mjs");
      writeFileSync(join(dir, file), body);
      run = kind === "python" ? `python3 ${file}` : isNodeTest(f) ? `node --test ${file}` : `node ${file}`;
    }
    if (f.markers.has("serve")) {
      const log = `serve-${index}.log`;
      parts.push(
        `set -m; ( ${run.trim()}\n) > ${log} 2>&1 & serve_pid=$!; set +m`,
        `echo "$serve_pid" >> serve-pgids`,
        `until grep -q '^KEYLESS_READY ' ${log}; do if ! kill -0 "$serve_pid" 2>/dev/null; then cat ${log} >&2; exit 1; fi; sleep 0.2; done`,
      );
    } else if (f.markers.has("exit")) {
      const expected = Number(f.markers.get("exit"));
      parts.push(
        `set +e; ( set -eo pipefail\n${run}\n); rc=$?; set -e`,
        `if [ "$rc" -ne ${expected} ]; then echo "docs sample ${where(f)} exited $rc, expected ${expected}" >&2; exit 1; fi`,
      );
    } else parts.push(run);
  }
  return `${parts.join("\n")}\n`;
}

/** Runs a walkthrough; fails unless it exits 0, every server it started stops on Ctrl-C, and nothing is left running. */
async function walkthrough(samples: Fence[], files: Fence[]): Promise<void> {
  const port = await freePort();
  const dir = workDir(files);
  const text = script(samples, dir, port);
  writeFileSync(join(dir, "walkthrough.sh"), text);
  const child = spawn("bash", [join(dir, "walkthrough.sh")], {
    cwd: dir,
    env: readerEnv(dir, port),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 600_000);
  const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
  clearTimeout(timer);
  const problems: string[] = [];
  const pgidFile = join(dir, "serve-pgids");
  const servers = existsSync(pgidFile) ? readFileSync(pgidFile, "utf8").split("\n").filter(Boolean).map(Number) : [];
  for (const pgid of servers) {
    if (!groupAlive(pgid)) {
      problems.push(`the server started by the walkthrough (process group ${pgid}) had stopped before the end`);
      continue;
    }
    process.kill(-pgid, "SIGINT");
    if (!(await gone(pgid, 15_000))) {
      problems.push(`the server (process group ${pgid}) still runs 15 s after Ctrl-C`);
      process.kill(-pgid, "SIGKILL");
    }
  }
  if (!(await gone(child.pid!, 5_000))) {
    problems.push("processes the samples started were still running after the walkthrough (a teardown that does not stop them)");
    process.kill(-child.pid!, "SIGKILL");
  }
  const tail = output.length > 6000 ? `…${output.slice(-6000)}` : output;
  try {
    assert.equal(code, 0, `the walkthrough exited ${code}; the last sample it began is the last '── docs sample' line:\n${tail}`);
    assert.deepEqual(problems, [], tail);
  } finally {
    if (code === 0 && problems.length === 0) rmSync(dir, { recursive: true, force: true });
  }
}

/** A repository test file from the docs, run in place with the test runner's environment. */
async function repositoryTest(f: Fence): Promise<void> {
  const file = join(ROOT, f.markers.get("dir")!, `.docs-sample-${process.pid}-${f.line}.test.ts`);
  writeFileSync(file, f.body);
  try {
    const env = { ...process.env } as Record<string, string>;
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, ["--test", file], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
    assert.equal(code, 0, output);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Named walkthroughs, across documents: a page may go on from the README's (README first, then docs/ A–Z). */
const walkthroughs = new Map<string, { samples: Fence[]; files: Fence[] }>();

for (const doc of DOCS) {
  const all = fences(doc, readFileSync(join(ROOT, doc), "utf8"));
  const samples = all.filter((f) => RUN_LANGUAGES[f.language] !== undefined);
  const files = all.filter((f) => RUN_LANGUAGES[f.language] === undefined && f.markers.has("file"));
  if (samples.length === 0) continue;
  describe(`${doc}: its samples run as written`, () => {
    test("every sample is run or says why not; markers are known", () => {
      for (const f of all) {
        for (const key of f.markers.keys()) assert.ok(MARKERS.has(key), `${where(f)}: unknown marker '${key}'`);
        if (f.noTest !== undefined) assert.match(f.noTest, /\w+ \w+ \w+/, `${where(f)}: no-test needs a reason`);
        const needs = f.markers.get("needs");
        if (needs !== undefined) assert.ok(missing[needs], `${where(f)}: needs=${needs} is not a package this test knows`);
        if (RUN_LANGUAGES[f.language] === undefined && f.markers.size > 0 && !f.markers.has("file"))
          assert.fail(`${where(f)}: a ${f.language || "plain"} fence is never run; only file= applies to it`);
      }
    });

    for (const f of samples) {
      if (f.noTest !== undefined) continue;
      const needs = f.markers.get("needs");
      const absent = needs === undefined ? undefined : missing[needs]?.();
      if (absent) {
        test(`${where(f)}`, { skip: absent }, () => {});
        continue;
      }
      if (f.markers.has("dir")) {
        test(`${where(f)}: a test file of this repository (${f.markers.get("dir")})`, { timeout: 300_000 }, () => repositoryTest(f));
        continue;
      }
      const name = f.markers.get("group");
      if (name === undefined) {
        test(`${where(f)}`, { timeout: 900_000 }, () => walkthrough([f], files));
        continue;
      }
      const group = walkthroughs.get(name) ?? { samples: [], files: [] };
      group.samples.push(f);
      for (const file of files) if (!group.files.includes(file)) group.files.push(file);
      walkthroughs.set(name, group);
    }
  });
}

describe("walkthroughs: the samples of a group run in one shell, in order", () => {
  for (const [name, group] of walkthroughs) {
    const docs = [...new Set(group.samples.map((f) => f.doc))].join(", ");
    test(`'${name}' (${docs}; lines ${group.samples.map((f) => f.line).join(", ")})`, { timeout: 900_000 }, () =>
      walkthrough(group.samples, group.files),
    );
  }
});
