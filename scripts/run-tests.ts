/**
 * Runs the test suite. The official clients under test trust a CA only through NODE_EXTRA_CA_CERTS, which Node
 * reads at process start, so this script makes one test CA and server certificate first, then starts the test
 * runner with that CA trusted; every service a test starts serves that certificate.
 *
 * Skips never pass silently (docs/testing.md): every skipped test is listed with its reason after the run; a skip
 * without a reason fails the run, and with KEYLESS_TEST_NO_SKIPS=1 (CI) so does any skip.
 *
 * KEYLESS_TEST_PROFILE=1 adds a table of the files by CPU time (and their wall time) after the run;
 * KEYLESS_TEST_PROFILE=FILE also keeps the per-file JSON lines in FILE (docs/benchmarks.md).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureLocalTls } from "../src/http/tls.ts";
import { dialects, dropTestSchemas } from "../test/harness/databases.ts";

// Test schemas are dropped around the run, never during it (see test/harness/databases.ts).
const postgres = dialects.includes("postgres");
if (postgres) await dropTestSchemas();
const dir = mkdtempSync(join(tmpdir(), "keyless-test-tls-"));
const tls = await ensureLocalTls(dir, []);
const skipsFile = join(dir, "skips.jsonl");
const files = process.argv.slice(2);
const profile = process.env.KEYLESS_TEST_PROFILE;
const profileLog = profile && profile !== "1" ? profile : join(dir, "profile.jsonl");
const child = spawn(
  process.execPath,
  [
    "--disable-warning=ExperimentalWarning",
    ...(profile ? [`--import=${join(import.meta.dirname, "test-profile-probe.ts")}`] : []),
    "--test",
    // Files at a time: 2 by default (a 2-core CI machine); KEYLESS_TEST_CONCURRENCY to try another.
    `--test-concurrency=${process.env.KEYLESS_TEST_CONCURRENCY ?? "2"}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${join(import.meta.dirname, "skip-reporter.ts")}`,
    `--test-reporter-destination=${skipsFile}`,
    ...(files.length > 0 ? files : ["test/**/*.test.ts"]),
  ],
  {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: tls.caPath,
      KEYLESS_TEST_TLS_CERT: tls.certPath,
      KEYLESS_TEST_TLS_KEY: tls.keyPath,
      KEYLESS_TEST_CA: tls.caPath,
      ...(profile ? { KEYLESS_TEST_PROFILE_LOG: profileLog } : {}),
    },
  },
);
child.on("exit", async (code, signal) => {
  const skipsFailed = reportSkips();
  if (profile) reportProfile();
  rmSync(dir, { recursive: true, force: true });
  if (postgres) await dropTestSchemas().catch((err: Error) => process.stderr.write(`could not drop the test schemas: ${err.message}\n`));
  process.exit(code || (signal ? 1 : 0) || (skipsFailed ? 1 : 0));
});

/** Prints the skipped tests; true when one of them fails the run. */
function reportSkips(): boolean {
  const lines = existsSync(skipsFile) ? readFileSync(skipsFile, "utf8").split("\n").filter(Boolean) : [];
  const skips = lines.map((line) => JSON.parse(line) as { file?: string; name?: string; reason: string });
  if (skips.length === 0) return false;
  const strict = process.env.KEYLESS_TEST_NO_SKIPS === "1";
  process.stdout.write(`\n${skips.length} test(s) skipped:\n`);
  for (const s of skips) process.stdout.write(`  SKIPPED ${s.name} (${s.file ?? "?"}): ${s.reason || "NO REASON GIVEN"}\n`);
  const unexplained = skips.filter((s) => s.reason === "");
  if (unexplained.length > 0) process.stdout.write('A skip must say why: t.skip("reason") or { skip: "reason" }.\n');
  if (strict) process.stdout.write("KEYLESS_TEST_NO_SKIPS=1: every test must run here; install what the reasons above name.\n");
  return strict || unexplained.length > 0;
}

/** Prints the test files by CPU time, with their wall time and the load average when each ended. */
function reportProfile(): void {
  if (!existsSync(profileLog)) return;
  const rows = readFileSync(profileLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { file: string; wallS: number; userS: number; sysS: number; load1: number })
    .sort((a, b) => b.userS + b.sysS - (a.userS + a.sysS));
  const cpu = (r: { userS: number; sysS: number }) => r.userS + r.sysS;
  process.stdout.write(`\nTest files by CPU time (user + system, with the processes each started):\n`);
  for (const r of rows) {
    process.stdout.write(
      `  ${cpu(r).toFixed(1).padStart(7)} s CPU ${r.wallS.toFixed(1).padStart(7)} s wall  load ${r.load1.toFixed(1).padStart(4)}  ${r.file}\n`,
    );
  }
  const total = rows.reduce((sum, r) => sum + cpu(r), 0);
  process.stdout.write(`  ${total.toFixed(1).padStart(7)} s CPU in ${rows.length} files\n`);
}
