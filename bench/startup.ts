/**
 * Start-up benchmark: time from spawning `src/main.ts` to the first 200 from `GET /readyz`, for a first start
 * (fresh data dir: local CA, database, signing keys, bootstrap) and a restart (same data dir), beside the time a
 * bare `node -e 0` takes to start and exit on the same machine in the same run, and the CPU time (user + system)
 * the server's process has used by then: on a shared machine it moves less with the load than wall time. Each
 * `--checkout DIR` is a checkout whose `src/main.ts` to start (default: this one; another, e.g. a worktree of an
 * older commit, for a before/after in one run); each run starts them all, in the opposite order every other run.
 * Not a timed test (docs/benchmarks.md).
 *
 *   node bench/startup.ts [--runs 5] [--checkout DIR]...      (npm run bench:startup)
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

const ROOT = resolve(import.meta.dirname, "..");
const RUN_TIMEOUT_MS = 20_000;
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs takes a positive integer");
const CHECKOUTS = process.argv.flatMap((a, i) => (process.argv[i - 1] === "--checkout" ? [resolve(a)] : []));
if (CHECKOUTS.length === 0) CHECKOUTS.push(ROOT);

const live = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Milliseconds for a bare Node.js to start, run nothing and exit. */
async function bareNode(): Promise<number> {
  const start = performance.now();
  const child = track(spawn(process.execPath, ["-e", "0"], { stdio: "ignore" }));
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error("bare node did not exit in time")), RUN_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      done();
    });
  });
  return performance.now() - start;
}

/** GET `${url}/readyz` trusting `ca`; resolves with the status code, or 0 when the connection fails. */
function readyz(url: string, ca: string): Promise<number> {
  return new Promise((done) => {
    const req = request(`${url}/readyz`, { ca, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.once("end", () => done(res.statusCode ?? 0));
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => done(0));
    req.end();
  });
}

/** Waits for the `KEYLESS_READY {json}` line on the child's stdout. */
function readyLine(child: ChildProcess, stderr: () => string): Promise<{ url: string; caPath: string }> {
  return new Promise((done, fail) => {
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const line = buffered.split("\n").find((l) => l.startsWith("KEYLESS_READY "));
      if (line) done(JSON.parse(line.slice("KEYLESS_READY ".length)) as { url: string; caPath: string });
    });
    child.once("exit", (code) => fail(new Error(`keyless exited (${code}) before it was ready:\n${stderr()}`)));
  });
}

/** CPU ms (user + system) a running process has used, from /proc; NaN where there is none. */
function cpuMsOf(pid: number): number {
  try {
    // Fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/**
 * One start of `checkout`'s service on `dataDir`: ms from spawn to the ready line and to the first 200 from
 * /readyz, and the CPU ms the process had used by then.
 */
async function startOnce(checkout: string, dataDir: string): Promise<{ line: number; ready: number; cpu: number }> {
  const start = performance.now();
  const env = {
    ...process.env,
    KEYLESS_DATA_DIR: dataDir,
    KEYLESS_PORT: "0",
    KEYLESS_LOG_LEVEL: "warn",
    KEYLESS_ADMIN_PASSWORD: "x-bench-Password-1",
  };
  const child = track(
    spawn(process.execPath, ["--disable-warning=ExperimentalWarning", "src/main.ts"], {
      cwd: checkout,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const deadline = start + RUN_TIMEOUT_MS;
  const cancel = new AbortController();
  try {
    const timeout = sleep(RUN_TIMEOUT_MS, undefined, { signal: cancel.signal }).then(() => {
      throw new Error(`no KEYLESS_READY line within ${RUN_TIMEOUT_MS} ms:\n${stderr}`);
    });
    timeout.catch(() => {}); // settled by the race below, or aborted in `finally`
    const ready = await Promise.race([readyLine(child, () => stderr), timeout]);
    const line = performance.now() - start;
    const ca = readFileSync(ready.caPath, "utf8");
    while ((await readyz(ready.url, ca)) !== 200) {
      if (performance.now() > deadline) throw new Error(`/readyz did not answer 200 within ${RUN_TIMEOUT_MS} ms:\n${stderr}`);
      await sleep(10);
    }
    return { line, ready: performance.now() - start, cpu: child.pid === undefined ? Number.NaN : cpuMsOf(child.pid) };
  } finally {
    cancel.abort();
    await stop(child);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

const samples = new Map<string, number[]>();
const add = (name: string, value: number) => samples.set(name, [...(samples.get(name) ?? []), value]);
/** Each checkout named by its commit (no machine paths in the figures), when there are several. */
const labels = new Map(
  CHECKOUTS.map((checkout) => {
    if (CHECKOUTS.length === 1) return [checkout, ""];
    const git = (...args: string[]) => execFileSync("git", ["-C", checkout, ...args], { encoding: "utf8" }).trim();
    return [checkout, ` [${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no") ? "+changes" : ""}]`];
  }),
);
const label = (checkout: string) => labels.get(checkout)!;
try {
  await bareNode(); // warm the file cache for node itself; not recorded
  for (let i = 0; i < RUNS; i++) {
    add("bare `node -e 0` (start and exit)", await bareNode());
    for (const checkout of i % 2 ? [...CHECKOUTS].reverse() : CHECKOUTS) {
      const dataDir = mkdtempSync(join(tmpdir(), "keyless-bench-"));
      try {
        const first = await startOnce(checkout, dataDir);
        add(`first start → KEYLESS_READY line${label(checkout)}`, first.line);
        add(`first start → /readyz 200${label(checkout)}`, first.ready);
        const again = await startOnce(checkout, dataDir);
        add(`restart → KEYLESS_READY line${label(checkout)}`, again.line);
        add(`restart → /readyz 200${label(checkout)}`, again.ready);
        add(`restart: CPU (user + system) until /readyz 200${label(checkout)}`, again.cpu);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
  }
} finally {
  for (const child of live) child.kill("SIGKILL");
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const bare = median(samples.get("bare `node -e 0` (start and exit)")!);
const rows = [...samples].map(
  ([name, xs]) =>
    `| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${(median(xs) / bare).toFixed(1)}× |`,
);

process.stdout.write(
  [
    `Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? "unknown"}), ${RUNS} runs, load average ${loadavg()[0]!.toFixed(1)} at the end`,
    "",
    "| scenario | median ms | min ms | max ms | median / bare node |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n"),
);
