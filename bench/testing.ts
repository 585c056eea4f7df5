/**
 * keyless/testing benchmark: `startKeyless({ world })` until its first successful call (a `GET /readyz` through the
 * returned dispatcher), and `reset()` until the next successful call, beside a bare `node -e 0` start in the same
 * run. The first start of the process (which loads the server's modules) is reported apart from the later ones.
 * Not a timed test (docs/benchmarks.md).
 *
 *   node bench/testing.ts [--runs 5]      (npm run bench:testing)
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { request } from "undici";
import { startKeyless } from "../src/testing/index.ts";

const ROOT = resolve(import.meta.dirname, "..");
const WORLD = join(ROOT, "test", "fixtures", "package", "world.yaml");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rows: Record<string, number[]> = { bare: [], first: [], start: [], reset: [] };
for (let run = 0; run < RUNS; run++) {
  let t = performance.now();
  spawnSync(process.execPath, ["-e", "0"]);
  rows.bare!.push(performance.now() - t);
  t = performance.now();
  const keyless = await startKeyless({ world: WORLD });
  const ready = async () => {
    const response = await request(`${keyless.url}/readyz`, { dispatcher: keyless.dispatcher });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`readyz answered ${response.statusCode}`);
  };
  await ready();
  rows[run === 0 ? "first" : "start"]!.push(performance.now() - t);
  t = performance.now();
  await keyless.reset();
  await ready();
  rows.reset!.push(performance.now() - t);
  await keyless.stop();
}
const bare = median(rows.bare!);
console.log(`${cpus().length} cores, Node ${process.version}, ${RUNS} runs`);
console.log("| scenario | median ms | min ms | max ms | median / bare node |\n| --- | --- | --- | --- | --- |");
const names: Record<string, string> = {
  bare: "bare `node -e 0` (start and exit)",
  first: "first `startKeyless({ world })` of the process → first call",
  start: "later `startKeyless({ world })` → first call",
  reset: "`reset()` → next call",
};
for (const [key, values] of Object.entries(rows)) {
  if (values.length === 0) continue;
  const m = median(values);
  console.log(
    `| ${names[key]} | ${m.toFixed(0)} | ${Math.min(...values).toFixed(0)} | ${Math.max(...values).toFixed(0)} | ${(m / bare).toFixed(1)}× |`,
  );
}
