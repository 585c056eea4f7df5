/**
 * Several nodes on one PostgreSQL schema, side by side in one run (docs/benchmarks.md, "Cluster"):
 *   - a role-assignment change made through node A, effective on node B (grant → B allows, revoke → B denies),
 *     at 0, 10k and 100k role assignments in the store, and a group-membership change likewise;
 *   - the role-assignment PUT's latency at each size;
 *   - node B's resident memory once the store holds 100k assignments, 100k users and 10k groups;
 *   - node C, which reaches PostgreSQL through a fault proxy: time from cutting its link to failing closed (503)
 *     against its grace (`policyMaxStalenessSeconds`), and from restoring it to serving again;
 *   - data-plane throughput through HAProxy (Debian's) in front of node A alone, then of A, B and C, alternating,
 *     with `wrk` (Debian's) as the load: chat completions of the built-in echo model with one valid bearer token.
 * Each node is a child process started as an operator starts one (`keyless serve`, through bin/keyless.js, with the
 * Node options and environment the launcher adds); this process seeds the store in bulk SQL and generates the load.
 * Not a timed test.
 *
 *   KEYLESS_TEST_POSTGRES=postgres://… node bench/cluster.ts [--iterations 40] [--warmup 3] [--sizes 0,10000,100000] [--grace 5]
 *     [--phases changes,failover,throughput] [--throughput-seconds 10] [--throughput-rounds 2] [--connections 32]
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { Agent, setGlobalDispatcher } from "undici";
import { ARM_SCOPE, GRAPH_SCOPE, call, registerApp } from "../test/harness/clients.ts";
import { HAPROXY, startHaproxy } from "../test/harness/cluster.ts";
import { startFaultProxy } from "../test/harness/fault-proxy.ts";
import { type KeylessProcess, startKeyless } from "../test/harness/keyless-process.ts";
import { SEED_GROUPS as GROUPS, SEED_USERS as USERS, seedCluster } from "./cluster-seed.ts";
import { adminToken, clientCredentialsToken } from "./grants.ts";
import { residentMemoryMb } from "./process-memory.ts";

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback);
const ITERATIONS = Number(arg("--iterations", "40"));
const WARMUP = Number(arg("--warmup", "3"));
const SIZES = arg("--sizes", "0,10000,100000").split(",").map(Number);
const GRACE_SECONDS = Number(arg("--grace", "5"));
const PHASES = new Set(arg("--phases", "changes,failover,throughput").split(","));
const THROUGHPUT_SECONDS = Number(arg("--throughput-seconds", "10"));
const THROUGHPUT_ROUNDS = Number(arg("--throughput-rounds", "2"));
const CONNECTIONS = Number(arg("--connections", "32"));
const WRK = "/usr/bin/wrk";
const POSTGRES = process.env.KEYLESS_BENCH_POSTGRES ?? process.env.KEYLESS_TEST_POSTGRES;
if (!POSTGRES) throw new Error("set KEYLESS_TEST_POSTGRES (or KEYLESS_BENCH_POSTGRES) to a PostgreSQL database the bench may use");
const SCHEMA = `keyless_bench_cluster_${process.pid}`;
const COGNITIVE_SERVICES_USER = "a97b65f3-24c7-4388-baec-2e87135dc908";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");

/** Polls `probe` until it is true; ms from `since`. */
async function until(what: string, since: number, probe: () => Promise<boolean>, limitMs = 30_000): Promise<number> {
  for (;;) {
    if (await probe()) return performance.now() - since;
    if (performance.now() - since > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await sleep(2);
  }
}

async function main(): Promise<void> {
  const nodeEnv = { KEYLESS_STORAGE: POSTGRES!, KEYLESS_STORAGE_SCHEMA: SCHEMA, KEYLESS_LOG_LEVEL: "error" };
  const a = await startKeyless({ env: nodeEnv, throughLauncher: true });
  const nodes: KeylessProcess[] = [a];
  const admin = new pg.Client({ connectionString: POSTGRES, options: `-c search_path=${SCHEMA}` });
  await admin.connect();
  try {
    const b = await startKeyless({ env: nodeEnv, dataDir: a.dataDir, throughLauncher: true });
    nodes.push(b);
    const { facts } = a;
    setGlobalDispatcher(new Agent({ connect: { ca: readFileSync(facts.caPath, "utf8") } }));
    const graphToken = await adminToken(facts, GRAPH_SCOPE);
    const armToken = await adminToken(facts, ARM_SCOPE);
    const app = await registerApp(facts, graphToken, "cluster-bench-app");
    const appToken = await clientCredentialsToken(facts, app);
    const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
    const graph = `${facts.url}/graph/v1.0`;
    const group = (
      await call("POST", `${graph}/groups`, graphToken, {
        displayName: "bench-callers",
        mailNickname: "bench-callers",
        mailEnabled: false,
        securityEnabled: true,
      })
    ).body.id as string;
    const assignmentUrl = (id: string) =>
      `${facts.url}${accountId}/providers/Microsoft.Authorization/roleAssignments/${id}?api-version=2022-04-01`;
    const put = (principalId: string, principalType: string) =>
      call("PUT", assignmentUrl(crypto.randomUUID()), armToken, {
        properties: { roleDefinitionId: COGNITIVE_SERVICES_USER, principalId, principalType },
      });
    const groupGrant = await put(group, "Group");
    if (groupGrant.status !== 201) throw new Error(`group grant: ${groupGrant.status} ${JSON.stringify(groupGrant.body)}`);
    const chatStatus = async (node: KeylessProcess, timeoutMs = 5000) => {
      try {
        const response = await fetch(`${node.facts.url}/accounts/${node.facts.demo!.account}/openai/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${appToken}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "hi" }], max_tokens: 1 }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer();
        return response.status;
      } catch {
        return 0;
      }
    };

    const rows: string[] = [];
    let seeded = 0;
    for (const size of PHASES.has("changes") ? SIZES : []) {
      await seedCluster(admin, SCHEMA, facts.tenantId, seeded, size, seeded === 0 && size > 0);
      seeded = Math.max(seeded, size);
      // The bulk change row makes both nodes reload; a write after it is applied only once that reload is done.
      const settle = await put(app.objectId, "ServicePrincipal");
      await until(`node B at ${size}`, performance.now(), async () => (await chatStatus(b)) === 200, 120_000);
      await call("DELETE", assignmentUrl(settle.body.name), armToken);
      await until(`node B at ${size}, revoked`, performance.now(), async () => (await chatStatus(b)) === 401, 120_000);

      const putMs: number[] = [];
      const roleMs: number[] = [];
      const memberMs: number[] = [];
      // The first WARMUP pairs of each size are not recorded: the code paths are compiled, caches and pools filled.
      for (let i = -WARMUP; i < ITERATIONS; i++) {
        const keep = (list: number[], x: number) => i >= 0 && list.push(x);
        let started = performance.now();
        const granted = await put(app.objectId, "ServicePrincipal");
        if (granted.status !== 201) throw new Error(`PUT: ${granted.status} ${JSON.stringify(granted.body)}`);
        let acked = performance.now();
        keep(putMs, acked - started);
        keep(roleMs, await until("grant on B", acked, async () => (await chatStatus(b)) === 200));
        started = performance.now();
        await call("DELETE", assignmentUrl(granted.body.name), armToken);
        acked = performance.now();
        keep(roleMs, await until("revoke on B", acked, async () => (await chatStatus(b)) === 401));

        const added = await call("POST", `${graph}/groups/${group}/members/$ref`, graphToken, {
          "@odata.id": `${graph}/directoryObjects/${app.objectId}`,
        });
        if (added.status !== 204) throw new Error(`member add: ${added.status} ${JSON.stringify(added.body)}`);
        acked = performance.now();
        keep(memberMs, await until("membership on B", acked, async () => (await chatStatus(b)) === 200));
        await call("DELETE", `${graph}/groups/${group}/members/${app.objectId}/$ref`, graphToken);
        acked = performance.now();
        keep(memberMs, await until("membership removal on B", acked, async () => (await chatStatus(b)) === 401));
      }
      const memory = residentMemoryMb(b.pid);
      rows.push(
        `| ${size.toLocaleString("en")} | ${ms(percentile(putMs, 50))} | ${ms(percentile(putMs, 99))} | ${ms(percentile(roleMs, 50))} | ${ms(percentile(roleMs, 99))} | ${ms(percentile(memberMs, 50))} | ${ms(percentile(memberMs, 99))} | ${memory.rss.toFixed(0)} (peak ${memory.peak.toFixed(0)}) |`,
      );
      process.stderr.write(`${rows.at(-1)}\n`);
    }

    // Node C through a fault proxy, with a short grace (also the third node of the throughput phase).
    const target = new URL(POSTGRES!);
    const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
    const viaProxy = new URL(POSTGRES!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const c = await startKeyless({
      env: { ...nodeEnv, KEYLESS_STORAGE: viaProxy.toString(), KEYLESS_POLICY_MAX_STALENESS_SECONDS: String(GRACE_SECONDS) },
      dataDir: a.dataDir,
      throughLauncher: true,
    });
    nodes.push(c);
    const granted = await put(app.objectId, "ServicePrincipal");
    await until("node C allows", performance.now(), async () => (await chatStatus(c)) === 200);
    const toClosed: number[] = [];
    const toServing: number[] = [];
    for (let round = 0; round < (PHASES.has("failover") ? 3 : 0); round++) {
      proxy.cut();
      const cutAt = performance.now();
      toClosed.push(await until("C fails closed", cutAt, async () => (await chatStatus(c, 200)) === 503, 60_000));
      await sleep(1000);
      proxy.restore();
      const restoredAt = performance.now();
      toServing.push(await until("C serves again", restoredAt, async () => (await chatStatus(c, 1000)) === 200, 60_000));
      await sleep(1000);
    }
    const throughput: string[] = [];
    if (PHASES.has("throughput")) {
      for (const node of [a, b, c]) await until("every node allows", performance.now(), async () => (await chatStatus(node)) === 200);
      throughput.push(...(await dataPlaneThroughput([a, b, c], armToken, appToken, accountId)));
    }
    await call("DELETE", assignmentUrl(granted.body.name), armToken);
    await proxy.close();

    const cpu = cpus()[0]?.model ?? "unknown CPU";
    console.log(
      `Node ${process.version}, ${availableParallelism()} cores (${cpu}), PostgreSQL, 2 nodes (A writes, B decides) + C behind a fault proxy`,
    );
    if (rows.length > 0)
      console.log(
        `${ITERATIONS} grant/revoke and ${ITERATIONS} membership add/remove pairs per size after ${WARMUP} unrecorded ones; store also holds ${USERS.toLocaleString("en")} users, ${GROUPS.toLocaleString("en")} groups from the first non-zero size`,
      );
    if (rows.length > 0) {
      console.log("");
      console.log(
        "| role assignments | PUT p50 ms | PUT p99 ms | role change on B p50 ms | p99 ms | membership change on B p50 ms | p99 ms | B RSS MB |",
      );
      console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
      for (const row of rows) console.log(row);
    }
    if (toClosed.length > 0) {
      console.log("");
      console.log(`| node C, grace ${GRACE_SECONDS} s | round 1 | round 2 | round 3 |`);
      console.log("| --- | --- | --- | --- |");
      console.log(`| link cut → 503 (s) | ${toClosed.map((x) => (x / 1000).toFixed(2)).join(" | ")} |`);
      console.log(`| link restored → 200 (s) | ${toServing.map((x) => (x / 1000).toFixed(2)).join(" | ")} |`);
    }
    for (const line of throughput) console.log(line);
  } finally {
    for (const node of nodes.reverse()) await node.stop();
    await admin.query(`drop schema if exists ${SCHEMA} cascade`).catch(() => undefined);
    await admin.end();
    nodes.at(-1)?.cleanup();
  }
}

/** One wrk run: requests per second and latency percentiles (ms), with the count of non-2xx answers and socket errors. */
interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
}

/**
 * The data plane through the load balancer: HAProxy (TCP, as docs/operations.md configures it) in front of node A
 * alone, then of A, B and C, alternating for `THROUGHPUT_ROUNDS` rounds of `THROUGHPUT_SECONDS` each (after a 3 s
 * warm-up of each balancer), `wrk` with `CONNECTIONS` keep-alive connections on 2 threads. Every process (nodes,
 * PostgreSQL, HAProxy, wrk) shares this machine's cores: on a machine with fewer cores than nodes the ratio says what
 * spreading the work over processes costs or gains, not what more machines would give.
 */
async function dataPlaneThroughput(nodes: KeylessProcess[], armToken: string, appToken: string, accountId: string): Promise<string[]> {
  if (!existsSync(HAPROXY) || !existsSync(WRK))
    throw new Error(`the throughput phase needs ${HAPROXY} and ${WRK} (Debian's haproxy and wrk)`);
  const { facts } = nodes[0]!;
  // The built-in echo model at the largest capacity ARM accepts, so limits never refuse a bench call.
  const deployment = await call("PUT", `${facts.url}${accountId}/deployments/echo-bench?api-version=2023-05-01`, armToken, {
    sku: { name: "Standard", capacity: 100_000 },
    properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" } },
  });
  if (deployment.status !== 201) throw new Error(`deployment: ${deployment.status} ${JSON.stringify(deployment.body)}`);
  const dir = mkdtempSync(join(tmpdir(), "keyless-wrk-"));
  const script = join(dir, "chat.lua");
  const body = JSON.stringify({ model: "echo-bench", messages: [{ role: "user", content: "Say something short." }], max_tokens: 16 });
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      `wrk.body = '${body}'`,
      'wrk.headers["Content-Type"] = "application/json"',
      `wrk.headers["Authorization"] = "Bearer ${appToken}"`,
      "done = function(summary, latency, requests)",
      "  local e = summary.errors",
      '  io.write(string.format("WRK %d %d %d %d %d\\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status + e.connect + e.read + e.write + e.timeout))',
      "end",
      "",
    ].join("\n"),
  );
  const path = `/accounts/${facts.demo!.account}/openai/v1/chat/completions`;
  const wrk = (port: number, seconds: number) =>
    new Promise<WrkResult>((resolve, reject) => {
      const args = ["-t2", `-c${CONNECTIONS}`, `-d${seconds}s`, "-s", script, `https://127.0.0.1:${port}${path}`];
      const child = spawn(WRK, args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.once("error", reject);
      child.once("exit", () => {
        const m = /WRK (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
        if (!m) return reject(new Error(`wrk: ${out}`));
        const [requests, durationUs, p50Us, p99Us, failed] = m.slice(1).map(Number) as [number, number, number, number, number];
        resolve({ rps: requests / (durationUs / 1e6), p50: p50Us / 1000, p99: p99Us / 1000, requests, failed });
      });
    });
  const results: Record<"one" | "three", WrkResult[]> = { one: [], three: [] };
  const loads: string[] = [];
  try {
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      for (const kind of ["one", "three"] as const) {
        const members = kind === "one" ? nodes.slice(0, 1) : nodes;
        const lb = await startHaproxy(
          members.map((n, i) => ({ name: `node${i + 1}`, address: `127.0.0.1:${n.facts.port}` })),
          facts.caPath,
          await freePort(),
        );
        try {
          await lb.waitFor(Object.fromEntries(members.map((_, i) => [`node${i + 1}`, "up" as const])));
          await wrk(lb.port, 3);
          const result = await wrk(lb.port, THROUGHPUT_SECONDS);
          if (result.failed > 0) throw new Error(`${kind}: ${result.failed} of ${result.requests} calls failed`);
          results[kind].push(result);
          loads.push(loadavg()[0]!.toFixed(2));
          process.stderr.write(
            `throughput ${kind} round ${round + 1}: ${result.rps.toFixed(0)} req/s, p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms\n`,
          );
        } finally {
          await lb.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  const one = results.one;
  const three = results.three;
  const lines = [
    "",
    `Data plane through HAProxy, wrk -t2 -c${CONNECTIONS}, ${THROUGHPUT_SECONDS} s per run, ${THROUGHPUT_ROUNDS} rounds alternating; 1-minute load average after each run: ${loads.join(", ")}`,
    "",
    "| behind HAProxy | round | req/s | p50 ms | p99 ms |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    for (const [label, list] of [
      ["1 node", one],
      ["3 nodes", three],
    ] as const) {
      const r = list[round]!;
      lines.push(`| ${label} | ${round + 1} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} |`);
    }
  }
  lines.push(
    "",
    `3 nodes ÷ 1 node: ${(mean(three.map((r) => r.rps)) / mean(one.map((r) => r.rps))).toFixed(2)}× req/s (mean of rounds), p50 ${ms(mean(one.map((r) => r.p50)))} → ${ms(mean(three.map((r) => r.p50)))} ms, p99 ${ms(mean(one.map((r) => r.p99)))} → ${ms(mean(three.map((r) => r.p99)))} ms`,
  );
  return lines;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

await main();
