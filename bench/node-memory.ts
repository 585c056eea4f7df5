/**
 * A node's resident memory once its policy is loaded, side by side in one run (docs/benchmarks.md, "Cluster"):
 * a PostgreSQL schema is filled like bench/cluster.ts's largest size (100k role assignments, 100k users, 10k
 * groups, 109,900 membership edges: bench/cluster-seed.ts), then a node starts on it (its full reload reads
 * everything) and answers data-plane calls; its `VmRSS` and peak `VmHWM` are read after it has settled. A node is
 * started as a user starts one, `node bin/keyless.js serve` (the launcher chooses Node options of its own, see
 * bin/keyless.js). Each variant is one checkout (`--before DIR` adds another checkout, e.g. a worktree of an older
 * commit, on a schema of its own) and one set of Node options given to `node` (`--node-options "A|B"`,
 * `|`-separated; an empty entry, the default, means none). `--settle 5,30` reads memory at each of those seconds
 * after the calls (the last one decides the table); `--calls N` chat calls per node (2,000). An entry's leading
 * `NAME=value` words are environment variables of the node (`--node-options "|MALLOC_ARENA_MAX=2"`). `--empty`
 * leaves the schema empty (an idle node's baseline: the store holds only what the first start created and the one
 * assignment the calls need). Not a timed test.
 *
 *   KEYLESS_TEST_POSTGRES=postgres://… node bench/node-memory.ts [--before DIR] [--node-options "|--max-semi-space-size=16"] [--settle 5] [--calls 2000] [--rounds 2] [--empty]
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import pg from "pg";
import { Agent, setGlobalDispatcher } from "undici";
import { type ReadyFacts, testServerEnv } from "../test/harness/keyless-process.ts";
import { GRAPH_SCOPE, registerApp } from "../test/harness/clients.ts";
import { seedCluster } from "./cluster-seed.ts";
import { adminToken, clientCredentialsToken } from "./grants.ts";
import { residentMemoryMb } from "./process-memory.ts";

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback);
const POSTGRES = process.env.KEYLESS_BENCH_POSTGRES ?? process.env.KEYLESS_TEST_POSTGRES;
if (!POSTGRES) throw new Error("set KEYLESS_TEST_POSTGRES (or KEYLESS_BENCH_POSTGRES) to a PostgreSQL database the bench may use");
const SIZE = process.argv.includes("--empty") ? 0 : 100_000;
const ROUNDS = Number(arg("--rounds", "2"));
const SETTLE_SECONDS = arg("--settle", "5").split(",").map(Number);
const CALLS = Number(arg("--calls", "2000"));
const CONCURRENCY = 20;
const COGNITIVE_SERVICES_USER = "a97b65f3-24c7-4388-baec-2e87135dc908";
const checkouts = [...(process.argv.includes("--before") ? [resolve(arg("--before", ""))] : []), process.cwd()];
const nodeOptions = arg("--node-options", "").split("|");

interface Node {
  facts: ReadyFacts;
  child: ChildProcess;
}

function start(checkout: string, schema: string, dataDir: string, options: string): Promise<Node> {
  const words = options.split(" ").filter(Boolean);
  const isVariable = (word: string) => /^[A-Z_][A-Z0-9_]*=/.test(word);
  const variables = Object.fromEntries(
    words.filter(isVariable).map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]),
  );
  const child = spawn(process.execPath, [...words.filter((word) => !isVariable(word)), "bin/keyless.js", "serve"], {
    cwd: checkout,
    env: {
      ...process.env,
      ...variables,
      ...testServerEnv(dataDir),
      KEYLESS_STORAGE: POSTGRES!,
      KEYLESS_STORAGE_SCHEMA: schema,
      KEYLESS_LOG_LEVEL: "error",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolveReady, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("KEYLESS_READY ")) resolveReady({ facts: JSON.parse(line.slice(14)) as ReadyFacts, child });
    });
    child.once("exit", (code) => reject(new Error(`node exited with ${code}:\n${stderr}`)));
  });
}

/** A checkout named by its commit (no machine paths in the figures). */
const commitOf = (checkout: string) =>
  execFileSync("git", ["-C", checkout, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim() +
  (execFileSync("git", ["-C", checkout, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() ? "+changes" : "");

const stop = (node: Node) =>
  new Promise<void>((done) => {
    if (node.child.exitCode !== null) return done();
    node.child.once("exit", () => done());
    node.child.kill("SIGTERM");
  });

/** Chat calls through the node's data plane, `CONCURRENCY` at a time: calls per second. */
async function calls(facts: ReadyFacts, appToken: string): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next++ < CALLS) {
      const response = await fetch(`${facts.url}/accounts/${facts.demo!.account}/openai/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${appToken}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "hi" }], max_tokens: 1 }),
      });
      await response.arrayBuffer();
      // 429: the demo deployment's rate limit answered (after authentication and the decision).
      if (response.status !== 200 && response.status !== 429) throw new Error(`chat: ${response.status}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return CALLS / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  const prepared: { checkout: string; schema: string; appToken: string }[] = [];
  // One data dir (master key, CA) for every node: each schema's key ring is sealed with the same key.
  const dataDir = mkdtempSync(join(tmpdir(), "keyless-bench-memory-"));
  try {
    for (const [i, checkout] of checkouts.entries()) {
      const schema = `keyless_bench_memory_${process.pid}_${i}`;
      const first = await start(checkout, schema, dataDir, "");
      const { facts } = first;
      setGlobalDispatcher(new Agent({ connect: { ca: readFileSync(facts.caPath, "utf8") } }));
      const app = await registerApp(facts, await adminToken(facts, GRAPH_SCOPE), "memory-bench-app");
      // Tokens are signed by the schema's key ring: one minted here is valid on every later node of the schema.
      const appToken = await clientCredentialsToken(facts, app);
      await stop(first);
      await admin.query(`set search_path to ${schema}`);
      // The app may call the demo account (one more assignment, loaded with the others).
      const account = `/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
      await admin.query(
        `insert into role_assignments (id, tenant_id, scope, scope_key, role_definition_id, principal_id, principal_type, created_on, updated_on)
         values ($1, $2, $3, lower($3), $4, $5, 'ServicePrincipal', $6, $6)`,
        [crypto.randomUUID(), facts.tenantId, account, COGNITIVE_SERVICES_USER, app.objectId, new Date().toISOString()],
      );
      if (SIZE > 0) await seedCluster(admin, schema, facts.tenantId, 0, SIZE, true);
      prepared.push({ checkout, schema, appToken });
    }
    const results = new Map<string, { rss: number[]; peak: number[]; rate: number[] }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const { checkout, schema, appToken } of prepared) {
        for (const options of nodeOptions) {
          const label = `${commitOf(checkout)} ${options || "(default options)"}`;
          const node = await start(checkout, schema, dataDir, options);
          const rate = await calls(node.facts, appToken);
          const settled = performance.now();
          let m = residentMemoryMb(node.child.pid!);
          for (const seconds of SETTLE_SECONDS) {
            await new Promise((r) => setTimeout(r, Math.max(0, seconds * 1000 - (performance.now() - settled))));
            m = residentMemoryMb(node.child.pid!);
            if (SETTLE_SECONDS.length > 1) process.stderr.write(`  after ${seconds} s: RSS ${m.rss.toFixed(0)} MB\n`);
          }
          await stop(node);
          const entry = results.get(label) ?? { rss: [], peak: [], rate: [] };
          entry.rss.push(m.rss);
          entry.peak.push(m.peak);
          entry.rate.push(rate);
          results.set(label, entry);
          process.stderr.write(`${label}: RSS ${m.rss.toFixed(0)} MB (peak ${m.peak.toFixed(0)}), ${rate.toFixed(0)} calls/s\n`);
        }
      }
    }
    console.log(
      `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown CPU"}), load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}`,
    );
    console.log(
      `One node on PostgreSQL holding ${SIZE > 0 ? `${SIZE.toLocaleString("en")} role assignments, 100,000 users, 10,000 groups` : "an empty store"}; memory after ${CALLS} chat calls (${CONCURRENCY} at a time) and ${SETTLE_SECONDS.at(-1)} s`,
    );
    console.log("");
    console.log("| checkout, Node options | RSS MB per round | peak (VmHWM) MB per round | chat calls/s per round |");
    console.log("| --- | --- | --- | --- |");
    const each = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" / ");
    for (const [label, { rss, peak, rate }] of results) console.log(`| ${label} | ${each(rss)} | ${each(peak)} | ${each(rate)} |`);
  } finally {
    for (const { schema } of prepared) await admin.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    await admin.end();
  }
}

await main();
