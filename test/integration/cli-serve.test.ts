import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { runBinary } from "../harness/cli.ts";
import { serveKeyless } from "../harness/keyless-serve.ts";
import { startServer } from "../harness/keyless.ts";

const WORLDS = join(import.meta.dirname, "..", "fixtures", "cli", "worlds");

test("keyless serve on a free port prints its endpoints and the KEYLESS_READY line; /readyz answers", async () => {
  const served = await serveKeyless();
  try {
    assert.match(served.facts.url, /^https:\/\/localhost:\d+$/);
    assert.equal(served.seeded, undefined);
    const ready = await fetch(`${served.facts.url}/readyz`);
    assert.equal(ready.status, 200);
  } finally {
    await served.stop();
  }
});

test("keyless serve runs with V8's young generation capped at Node 20's size and two malloc arenas, in the launcher's own process; an operator's settings win", {
  skip: process.platform !== "linux" && "reads the server's command line and environment from /proc",
}, async () => {
  const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  const arenas = (pid: number) =>
    readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .find((entry) => entry.startsWith("MALLOC_ARENA_MAX="));
  const served = await serveKeyless({ env: { MALLOC_ARENA_MAX: "" } });
  try {
    assert.ok(commandLine(served.pid).includes("--max-semi-space-size=16"), commandLine(served.pid).join(" "));
    assert.equal(arenas(served.pid), "MALLOC_ARENA_MAX=2");
  } finally {
    await served.stop();
  }
  const operators = await serveKeyless({ env: { NODE_OPTIONS: "--max-semi-space-size=32", MALLOC_ARENA_MAX: "4" } });
  try {
    assert.ok(!commandLine(operators.pid).some((arg) => arg.startsWith("--max-semi-space-size")), commandLine(operators.pid).join(" "));
    assert.equal(arenas(operators.pid), "MALLOC_ARENA_MAX=4");
  } finally {
    await operators.stop();
  }
});

test("keyless serve restarts in place once even when the restarted process does not see MALLOC_ARENA_MAX (glibc drops it for a node given capabilities with setcap)", {
  skip: process.platform !== "linux" && "MALLOC_ARENA_MAX is set on Linux only",
}, async () => {
  // glibc 2.39 and newer remove the malloc variables from the environment of a secure-execution start (a node
  // binary with file capabilities, to bind port 443); this preload does the same to each in-place restart.
  const preload = join(mkdtempSync(join(tmpdir(), "keyless-it-")), "scrub-malloc-env.mjs");
  writeFileSync(
    preload,
    `const execve = process.execve.bind(process);
process.execve = (file, args, env) => {
  const restarts = Number(env.RESTARTS ?? 0) + 1;
  if (restarts > 3) { process.stderr.write("restarted again and again\\n"); process.exit(99); }
  const { MALLOC_ARENA_MAX, ...rest } = env;
  execve(file, args, { ...rest, RESTARTS: String(restarts) });
};
process.on("exit", () => process.stderr.write(\`restarts: \${process.env.RESTARTS ?? 0}\\n\`));
`,
  );
  const bin = join(import.meta.dirname, "..", "..", "bin", "keyless.js");
  const env = { ...process.env, MALLOC_ARENA_MAX: undefined };
  const run = await promisify(execFile)(process.execPath, ["--import", preload, bin, "serve", "--help"], { env });
  assert.match(run.stdout, /keyless serve/);
  assert.match(run.stderr, /restarts: 1\n/);
});

test("keyless serve runs where Node cannot restart in place: on Windows, process.execve throws", async () => {
  // Node's process.execve checks the platform when called: this preload makes it the one Windows sees.
  const preload = join(mkdtempSync(join(tmpdir(), "keyless-it-")), "as-windows.mjs");
  writeFileSync(preload, `Object.defineProperty(process, "platform", { value: "win32" });\n`);
  const bin = join(import.meta.dirname, "..", "..", "bin", "keyless.js");
  const run = await promisify(execFile)(process.execPath, ["--import", preload, bin, "serve", "--help"]);
  assert.match(run.stdout, /keyless serve/);
});

test("keyless serve --seed applies the world before the ready line and reports it", async () => {
  const served = await serveKeyless({ seed: join(WORLDS, "empty.yaml") });
  try {
    assert.deepEqual(served.seeded, { file: join(WORLDS, "empty.yaml"), changes: [] });
  } finally {
    await served.stop();
  }
});

test("keyless serve --seed with a bad world exits 2 with line-numbered problems, before listening", async () => {
  const run = await runBinary(["serve", "--port", "0", "--seed", join(WORLDS, "bad.yaml")], {});
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^ERROR: The world file is not valid:\n {2}.*bad\.yaml:2:5: /);
  assert.doesNotMatch(run.stdout, /KEYLESS_READY/);
});

test("keyless serve with a bad federation file exits 2 and names the file's fault, not InternalError", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-bad-federation-"));
  const file = join(dir, "federation.yaml");
  writeFileSync(file, "issuers:\n  - issuer: http://not-https.example\n");
  const run = await runBinary(["serve", "--port", "0", "--data-dir", join(dir, "data"), "--federation-file", file], {});
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^ERROR: .*federation\.yaml: issuers\[0\]: 'issuer' must be an https URL\./);
  assert.doesNotMatch(run.stderr, /InternalError/);
  const missing = await runBinary(
    ["serve", "--port", "0", "--data-dir", join(dir, "data"), "--federation-file", join(dir, "nope.yaml")],
    {},
  );
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /nope\.yaml/);
});

test("keyless serve with a bad setting exits 2 and names the option", async () => {
  const run = await runBinary(["serve", "--port", "0", "--no-such-setting", "1"], {});
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^ERROR: Unknown option '--no-such-setting'/);
});

test("a later start given another administrator password says it is not applied, and how to change it", async () => {
  let output = "";
  const onOutput = (text: string) => {
    output += text;
  };
  const first = await startServer({ process: true, onOutput });
  await first.stop();
  assert.doesNotMatch(output, /WARNING/);
  output = "";
  const second = await startServer({
    process: true,
    dataDir: first.dataDir,
    env: { KEYLESS_ADMIN_PASSWORD: "Another-Password-9" },
    onOutput,
  });
  await second.stop();
  assert.match(
    output,
    /WARNING: the administrator password given \(KEYLESS_ADMIN_PASSWORD or --admin-password\) is not admin@\S+'s in this data dir/,
  );
  assert.match(output, /keyless ad user update --id admin@\S+ --password NEW/);
  output = "";
  const third = await startServer({ process: true, dataDir: first.dataDir, onOutput });
  await third.stop();
  third.cleanup();
  assert.doesNotMatch(output, /WARNING/);
});
