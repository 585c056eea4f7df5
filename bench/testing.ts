/**
 * keyless/testing benchmark (docs/benchmarks.md). Not a timed test.
 *
 * - In this process, from the checkout: a later `startKeyless({ world })` until its first successful call (a
 *   `GET /readyz` through the returned agent), and `reset()` until the next one.
 * - In fresh processes, as a test runner that starts one per file sees it: the process's first `startKeyless()` until
 *   its first call, and from the process's start. Each `--module` is a keyless/testing entry to measure (default:
 *   this checkout's src/testing/index.ts; an installed package's `node_modules/keyless/dist/src/bundle/testing.js`,
 *   or another checkout's, for a before/after in one run); runs alternate between them. "warm": the prepared-world
 *   and compile caches as a previous process left them (one unmeasured run first); "cold": a new prepared-world
 *   cache folder per run (the first start on a machine, or `KEYLESS_TESTING_CACHE=off`). CPU time (user + system)
 *   of the fresh process is reported too: on a shared machine it moves less with the load than wall time.
 * - A bare `node -e 0` start beside them.
 *
 *   node bench/testing.ts [--runs 5] [--module PATH]...      (npm run bench:testing)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { get } from "node:https";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname, "..");
const WORLD = join(ROOT, "test", "fixtures", "package", "world.yaml");
const arg = (name: string) => process.argv.flatMap((a, i) => (a === name ? [process.argv[i + 1]!] : []));
const RUNS = Number(arg("--runs")[0] ?? 5);

interface Started {
  url: string;
  httpsAgent: import("node:https").Agent;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** `GET /readyz` through the server's own agent (node:https: nothing else to load in a fresh process). */
function ready(keyless: Started): Promise<void> {
  return new Promise((done, fail) => {
    get(`${keyless.url}/readyz`, { agent: keyless.httpsAgent }, (response) => {
      response.resume();
      response.on("end", () => (response.statusCode === 200 ? done() : fail(new Error(`readyz answered ${response.statusCode}`))));
    }).on("error", fail);
  });
}

const childAt = arg("--child")[0];
if (childAt) {
  // One fresh process: import the entry, start, first call; prints the times as JSON.
  const t0 = performance.now();
  const { startKeyless } = (await import(pathToFileURL(childAt).href)) as {
    startKeyless(options: { world: string }): Promise<Started>;
  };
  const t1 = performance.now();
  const keyless = await startKeyless({ world: WORLD });
  await ready(keyless);
  const t2 = performance.now();
  await keyless.stop();
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ sinceProcessStart: t2, importMs: t1 - t0, startMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000 }));
  process.exit(0);
}

const modules = arg("--module").map((m) => resolve(m));
if (modules.length === 0) modules.push(join(ROOT, "src", "testing", "index.ts"));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rows = new Map<string, number[]>();
const add = (name: string, value: number) => rows.set(name, [...(rows.get(name) ?? []), value]);

/** A fresh process's first start; `cache` is the prepared-world cache folder it uses. */
function freshProcess(module: string, cache: string): { sinceProcessStart: number; importMs: number; startMs: number; cpuMs: number } {
  const child = spawnSync(process.execPath, [join(ROOT, "bench", "testing.ts"), "--child", module], {
    env: { ...process.env, KEYLESS_TESTING_CACHE: cache },
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`${module}: ${child.stderr}`);
  const times = JSON.parse(child.stdout.trim().split("\n").pop()!);
  return times;
}

const warmCache = mkdtempSync(join(tmpdir(), "keyless-bench-cache-"));
const label = (module: string) => (modules.length === 1 ? "" : ` [${module}]`);
for (const module of modules) freshProcess(module, warmCache); // leaves the caches as a previous test file would
const loads: number[] = [];
for (let run = 0; run < RUNS; run++) {
  loads.push(loadavg()[0]!);
  let t = performance.now();
  const bareCpu = spawnSync(process.execPath, ["-e", "const c = process.cpuUsage(); console.log((c.user + c.system) / 1000)"], {
    encoding: "utf8",
  });
  add("bare `node -e 0` (start and exit)", performance.now() - t);
  add("bare node: CPU (user + system)", Number(bareCpu.stdout));
  for (const module of modules) {
    const warm = freshProcess(module, warmCache);
    add(`fresh process, warm caches: first \`startKeyless()\` → first call${label(module)}`, warm.startMs);
    add(`fresh process, warm caches: process start → first call${label(module)}`, warm.sinceProcessStart);
    add(`fresh process, warm caches: CPU (user + system) until the first call${label(module)}`, warm.cpuMs);
    const coldCache = mkdtempSync(join(tmpdir(), "keyless-bench-cold-"));
    const cold = freshProcess(module, coldCache);
    rmSync(coldCache, { recursive: true, force: true });
    add(`fresh process, cold world cache: first \`startKeyless()\` → first call${label(module)}`, cold.startMs);
  }
  // A later start and a reset, in this process (the checkout's code).
  const { startKeyless } = (await import("../src/testing/index.ts")) as unknown as {
    startKeyless(options: { world: string; cache?: boolean }): Promise<Started>;
  };
  if (run === 0) await (await startKeyless({ world: WORLD })).stop();
  t = performance.now();
  const keyless = await startKeyless({ world: WORLD });
  await ready(keyless);
  add("same process, later `startKeyless()` → first call", performance.now() - t);
  t = performance.now();
  await keyless.reset();
  await ready(keyless);
  add("`reset()` → next call", performance.now() - t);
  await keyless.stop();
}
rmSync(warmCache, { recursive: true, force: true });

const bare = median(rows.get("bare `node -e 0` (start and exit)")!);
console.log(`${cpus().length} cores, Node ${process.version}, ${RUNS} runs, load average ${loads.map((l) => l.toFixed(1)).join(" ")}`);
console.log("| scenario | median ms | min ms | max ms | median / bare node |\n| --- | --- | --- | --- | --- |");
for (const [name, values] of rows) {
  const m = median(values);
  console.log(
    `| ${name} | ${m.toFixed(0)} | ${Math.min(...values).toFixed(0)} | ${Math.max(...values).toFixed(0)} | ${(m / bare).toFixed(1)}× |`,
  );
}
