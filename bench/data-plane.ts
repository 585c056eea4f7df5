/**
 * Data-plane benchmark, all in one run on this machine: a chat completion sent
 *   1. directly to a mock OpenAI-compatible upstream (the floor),
 *   2. through a bare node:https + undici proxy (the least any proxy can add; same TLS certificate as Keyless),
 *   3. through Keyless with one cached token (token validation cache hit, RBAC, limits, call record),
 *   4. through Keyless with a fresh token on every request (full RS256 verification each time),
 *   5. through the Portkey gateway (`@portkey-ai/gateway`, plain HTTP, provider openai + custom host),
 * at concurrency 1 (latency percentiles) and 50 (throughput), plus streaming time to first byte at c=1.
 * Each server runs in its own process; this process only generates load. Not a timed test (docs/benchmarks.md).
 *
 *   node bench/data-plane.ts [--requests 2000]
 *   node bench/data-plane.ts --only observability --observability [--rounds 5]   (metrics and call log cost)
 *   node bench/data-plane.ts --only responses --responses [--rounds 5]   (Responses API next to chat, built-in model)
 *   node bench/data-plane.ts --only cached --content-filter [--rounds 5]            (content filter cost, 10k-term blocklist)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { Agent, Pool, setGlobalDispatcher } from "undici";
import { GRAPH_SCOPE, ARM_SCOPE, call, registerApp } from "../test/harness/clients.ts";
import { startKeyless } from "../test/harness/keyless-process.ts";
import { compileBlocklists } from "../src/inference/content-filter/blocklist-matcher.ts";
import { builtinClassifier } from "../src/inference/content-filter/builtin-classifier.ts";
import { compilePolicy } from "../src/inference/content-filter/policy.ts";
import { screenTexts } from "../src/inference/content-filter/screen.ts";
import { adminToken, clientCredentialsToken } from "./grants.ts";

const ROOT = resolve(import.meta.dirname, "..");
const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback);
const REQUESTS = Number(arg("--requests", "2000"));
const STREAM_REQUESTS = 200;
/** `--only proxy` runs the paths whose name contains the text (for a quick look); all by default. */
const ONLY = arg("--only", "").toLowerCase();
const CHAT = JSON.stringify({ model: "bench", messages: [{ role: "user", content: "Say something short." }] });
const STREAM = JSON.stringify({ model: "bench", stream: true, messages: [{ role: "user", content: "Say something short." }] });

// ---- child roles -------------------------------------------------------------------------------------------

const COMPLETION = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1,
  model: "bench-upstream",
  choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "A short answer from the mock upstream." } }],
  usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
});
const CHUNKS = Array.from(
  { length: 20 },
  (_, i) =>
    `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "bench-upstream", choices: [{ index: 0, delta: { content: ` w${i}` }, finish_reason: null }] })}\n\n`,
);

/** The mock upstream: a fixed completion, or 20 SSE chunks then [DONE]; no model work at all. */
function mockUpstream(req: IncomingMessage, res: ServerResponse): void {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    if (body.includes('"stream":true')) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const chunk of CHUNKS) res.write(chunk);
      res.end("data: [DONE]\n\n");
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(COMPLETION) });
    res.end(COMPLETION);
  });
}

/** The bare proxy: HTTPS in, one undici keep-alive pool out, bodies piped both ways, nothing else. */
function bareProxy(upstream: string, tlsDir: string) {
  const pool = new Pool(upstream, { connections: 128 });
  return createHttpsServer(
    { key: readFileSync(join(tlsDir, "server-key.pem")), cert: readFileSync(join(tlsDir, "server.pem")) },
    async (req, res) => {
      try {
        const { statusCode, headers, body } = await pool.request({
          method: "POST",
          path: "/v1/chat/completions",
          headers: { "content-type": "application/json" },
          body: req,
        });
        res.writeHead(statusCode, { "content-type": String(headers["content-type"]) });
        for await (const chunk of body) res.write(chunk);
        res.end();
      } catch {
        res.writeHead(502).end();
      }
    },
  );
}

async function runRole(role: string): Promise<void> {
  const server = role === "upstream" ? createHttpServer(mockUpstream) : bareProxy(arg("--upstream", ""), arg("--tls", ""));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
}

// ---- load generation ---------------------------------------------------------------------------------------

interface Target {
  name: string;
  origin: string;
  path: string;
  headers: (i: number) => Record<string, string>;
  ca?: string;
}
interface Result {
  p50: number;
  p90: number;
  p99: number;
  rps: number;
  errors: number;
}

async function measure(target: Target, concurrency: number, requests: number, body: string, firstByteOnly: boolean): Promise<Result> {
  process.stderr.write(`  c=${concurrency} ${firstByteOnly ? "stream" : "chat"}\n`);
  const pool = new Pool(target.origin, {
    connections: concurrency,
    pipelining: 1,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
    ...(target.ca ? { connect: { ca: target.ca } } : {}),
  });
  const once = async (i: number) => {
    const started = performance.now();
    const { statusCode, body: response } = await pool.request({
      method: "POST",
      path: target.path,
      headers: { "content-type": "application/json", ...target.headers(i) },
      body,
    });
    if (firstByteOnly) {
      // Time to the first body byte; the rest is read to the end so the connection stays in the pool.
      let ttfb: number | undefined;
      for await (const _ of response) ttfb ??= performance.now() - started;
      return { ms: ttfb ?? performance.now() - started, ok: statusCode === 200 };
    }
    await response.text();
    return { ms: performance.now() - started, ok: statusCode === 200 };
  };
  for (let i = 0; i < Math.min(100, requests); i++) await once(-1 - i); // warm-up: connections, JIT, caches
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const r = await once(i);
        latencies.push(r.ms);
        if (!r.ok) errors++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { p50: pct(50), p90: pct(90), p99: pct(99), rps: (requests / elapsed) * 1000, errors };
}

// ---- orchestration -----------------------------------------------------------------------------------------

const children: ChildProcess[] = [];

function spawnRole(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<number> {
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((done, fail) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += d;
      const match = ready.exec(out);
      if (match) done(Number(match[1]));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => fail(new Error(`${args.join(" ")} exited with ${code}: ${out.slice(-2000)}`)));
  });
}

async function main(): Promise<void> {
  const upstreamPort = await spawnRole(["bench/data-plane.ts", "--role", "upstream"], /READY (\d+)/);
  const upstream = `http://127.0.0.1:${upstreamPort}`;
  const dir = mkdtempSync(join(tmpdir(), "keyless-bench-"));
  const modelsFile = join(dir, "models.yaml");
  writeFileSync(
    modelsFile,
    `backends:\n  - { name: mock, type: openai-compatible, baseUrl: "${upstream}/v1", maxConnections: 128 }\nmodels:\n  - { format: Bench, name: bench, version: "1", backend: mock, upstreamModel: bench-upstream }\n`,
  );
  const keyless = await startKeyless({ env: { KEYLESS_MODELS_FILE: modelsFile, KEYLESS_LOG_LEVEL: "error" } });
  const { facts } = keyless;
  const ca = readFileSync(facts.caPath, "utf8");
  setGlobalDispatcher(new Agent({ connect: { ca } }));
  const app = await registerApp(facts, await adminToken(facts, GRAPH_SCOPE), "bench-app");
  const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
  const armToken = await adminToken(facts, ARM_SCOPE);
  const put = await call(
    "PUT",
    `${facts.url}${accountId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
    armToken,
    {
      properties: {
        roleDefinitionId: "a97b65f3-24c7-4388-baec-2e87135dc908",
        principalId: app.objectId,
        principalType: "ServicePrincipal",
      },
    },
  );
  if (put.status !== 201) throw new Error(`role assignment: ${put.status} ${JSON.stringify(put.body)}`);
  // The largest capacity ARM accepts (600,000 requests a minute), so limits never refuse a bench call.
  const deployment = await call("PUT", `${facts.url}${accountId}/deployments/bench?api-version=2023-05-01`, armToken, {
    sku: { name: "Standard", capacity: 100_000 },
    properties: { model: { format: "Bench", name: "bench", version: "1" } },
  });
  if (deployment.status !== 201) throw new Error(`deployment: ${deployment.status} ${JSON.stringify(deployment.body)}`);
  const cached = await clientCredentialsToken(facts, app);
  // Every request of the fresh-token path needs a token the server has not seen: mint them all first, 4 at a time
  // (each costs a scrypt secret check on the server, so this is the slow part of the run).
  const needed = ONLY === "" || "keyless, fresh token per request".includes(ONLY) ? REQUESTS * 2 + STREAM_REQUESTS + 300 : 0;
  process.stderr.write(`minting ${needed} fresh tokens…\n`);
  const mintStarted = performance.now();
  const fresh: string[] = [];
  while (fresh.length < needed) fresh.push(...(await Promise.all(Array.from({ length: 4 }, () => clientCredentialsToken(facts, app)))));
  process.stderr.write(`minted in ${((performance.now() - mintStarted) / 1000).toFixed(1)} s\n`);
  let freshIndex = 0;

  const proxyPort = await spawnRole(
    ["bench/data-plane.ts", "--role", "proxy", "--upstream", upstream, "--tls", join(keyless.dataDir, "tls")],
    /READY (\d+)/,
  );
  const portkeyEntry = join(ROOT, "node_modules/@portkey-ai/gateway/build/start-server.js");
  const portkeyPort = 18_000 + Math.floor(Math.random() * 2000);
  const portkey = existsSync(portkeyEntry)
    ? await spawnRole([portkeyEntry, `--port=${portkeyPort}`, "--headless"], /Ready for connections/)
        .then(() => portkeyPort)
        .catch(() => undefined)
    : undefined;

  const keylessOrigin = facts.url.replace("localhost", "127.0.0.1");
  const v1 = `/accounts/${facts.demo!.account}/openai/v1/chat/completions`;
  const targets: Target[] = [
    { name: "direct to mock upstream (http)", origin: upstream, path: "/v1/chat/completions", headers: () => ({}) },
    { name: "bare node:https + undici proxy", origin: `https://127.0.0.1:${proxyPort}`, path: "/", headers: () => ({}), ca },
    { name: "Keyless, cached token + RBAC", origin: keylessOrigin, path: v1, headers: () => ({ authorization: `Bearer ${cached}` }), ca },
    {
      name: "Keyless, fresh token per request",
      origin: keylessOrigin,
      path: v1,
      headers: () => ({ authorization: `Bearer ${fresh[freshIndex++ % fresh.length]}` }),
      ca,
    },
    ...(portkey
      ? [
          {
            name: "Portkey gateway 1.15 (http)",
            origin: `http://127.0.0.1:${portkey}`,
            path: "/v1/chat/completions",
            headers: () => ({ "x-portkey-provider": "openai", "x-portkey-custom-host": `${upstream}/v1`, authorization: "Bearer unused" }),
          },
        ]
      : []),
  ];

  if (process.argv.includes("--content-filter")) {
    await contentFilterCost(facts.url, accountId, armToken, keylessOrigin, v1, cached, ca);
    await keyless.stop();
    keyless.cleanup();
    return;
  }
  if (process.argv.includes("--responses")) {
    // The built-in echo model, at the largest capacity ARM accepts, so limits never refuse a bench call.
    const echo = await call("PUT", `${facts.url}${accountId}/deployments/echo-bench?api-version=2023-05-01`, armToken, {
      sku: { name: "Standard", capacity: 100_000 },
      properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" } },
    });
    if (echo.status !== 201) throw new Error(`deployment: ${echo.status} ${JSON.stringify(echo.body)}`);
    await responsesCost(keylessOrigin, `/accounts/${facts.demo!.account}/openai/v1`, cached, ca);
    await keyless.stop();
    keyless.cleanup();
    return;
  }
  if (process.argv.includes("--observability")) {
    await observabilityCost(keyless.dataDir, modelsFile, keylessOrigin, v1, cached, ca);
    await keyless.stop();
    keyless.cleanup();
    return;
  }
  const rows: string[] = [];
  for (const target of targets.filter((t) => t.name.toLowerCase().includes(ONLY))) {
    process.stderr.write(`measuring ${target.name}…\n`);
    const c1 = await measure(target, 1, REQUESTS, CHAT, false);
    const c50 = await measure(target, 50, REQUESTS, CHAT, false);
    const ttfb = await measure(target, 1, STREAM_REQUESTS, STREAM, true);
    const errors = c1.errors + c50.errors + ttfb.errors;
    const streamCell = ttfb.errors === STREAM_REQUESTS ? "failed (every stream errored)" : ttfb.p50.toFixed(3);
    rows.push(
      `| ${target.name} | ${c1.p50.toFixed(3)} | ${c1.p99.toFixed(3)} | ${c50.rps.toFixed(0)} | ${c50.p50.toFixed(2)} | ${streamCell} | ${errors} |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(
    [
      `Node ${process.version}, ${availableParallelism()} cores (${cpu}), ${REQUESTS} requests per phase, ${STREAM_REQUESTS} streams`,
      "",
      "| path | c=1 p50 ms | c=1 p99 ms | c=50 req/s | c=50 p50 ms | stream TTFB p50 ms | errors |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...rows,
      "",
    ].join("\n"),
  );
  await keyless.stop();
  keyless.cleanup();
}

/**
 * `--observability [--rounds 5]`: what metrics and the call log cost. Four more nodes on the same data dir: neither
 * (`recordCalls: false`), metrics only (`metricsPort`), the call log only (the default), and both; measured in turn
 * at c=50 each round (the order reversed every other round), so the machine's drift hits all alike. The figure is
 * the median over rounds of each node's throughput relative to `neither` in the same round.
 */
async function observabilityCost(dataDir: string, modelsFile: string, origin: string, path: string, token: string, ca: string) {
  const base = { KEYLESS_MODELS_FILE: modelsFile, KEYLESS_LOG_LEVEL: "error" };
  const nodes = {
    neither: await startKeyless({ dataDir, env: { ...base, KEYLESS_RECORD_CALLS: "false" } }),
    "metrics only": await startKeyless({ dataDir, env: { ...base, KEYLESS_METRICS_PORT: "0", KEYLESS_RECORD_CALLS: "false" } }),
    "call log only": await startKeyless({ dataDir, env: base }),
    "metrics + call log": await startKeyless({ dataDir, env: { ...base, KEYLESS_METRICS_PORT: "0" } }),
  };
  const names = Object.keys(nodes) as (keyof typeof nodes)[];
  const rps: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const rows: string[] = [];
  const rounds = Number(arg("--rounds", "5"));
  for (let round = 1; round <= rounds; round++) {
    const cells: string[] = [];
    for (const name of round % 2 ? names : [...names].reverse()) {
      const target: Target = {
        name,
        origin: origin.replace(/:\d+$/, `:${nodes[name].facts.port}`),
        path,
        headers: () => ({ authorization: `Bearer ${token}` }),
        ca,
      };
      const result = await measure(target, 50, REQUESTS, CHAT, false);
      rps[name]!.push(result.rps);
      cells[names.indexOf(name)] = `${result.rps.toFixed(0)}${result.errors ? ` (${result.errors} errors)` : ""}`;
    }
    rows.push(`| ${round} | ${cells.join(" | ")} |`);
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
  // Each round's ratio to that round's `neither`, then the median over rounds: drift between rounds cancels.
  const cost = (name: string) => {
    const ratios = rps[name]!.map((r, i) => r / rps.neither![i]!).sort((a, b) => a - b);
    return `${(100 * (1 - ratios[Math.floor(ratios.length / 2)]!)).toFixed(1)}%`;
  };
  process.stdout.write(
    [
      `Node ${process.version}, ${availableParallelism()} cores, ${REQUESTS} requests per phase, c=50 req/s, cached token`,
      "",
      `| round | ${names.join(" | ")} |`,
      `| --- | ${names.map(() => "---").join(" | ")} |`,
      ...rows,
      `| median cost | ${names.map((n) => (n === "neither" ? "—" : cost(n))).join(" | ")} |`,
      "",
    ].join("\n"),
  );
}

/**
 * `--responses [--rounds 5]`: the Responses API next to chat completions on the same node, deployment (the built-in
 * keyless-echo model) and cached token: chat, responses with `store: false` (the adapter alone), responses stored (the
 * default: one row written per call). Each round measures all three in turn (order reversed every other round);
 * the figure is the median over rounds of each path's ratio to chat in the same round.
 */
async function responsesCost(origin: string, v1: string, token: string, ca: string) {
  const text = "Say something short.";
  const paths = {
    "chat/completions": {
      path: `${v1}/chat/completions`,
      body: JSON.stringify({ model: "echo-bench", messages: [{ role: "user", content: text }] }),
    },
    "responses, store: false": { path: `${v1}/responses`, body: JSON.stringify({ model: "echo-bench", input: text, store: false }) },
    "responses, stored": { path: `${v1}/responses`, body: JSON.stringify({ model: "echo-bench", input: text }) },
  };
  const names = Object.keys(paths) as (keyof typeof paths)[];
  const p50: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const rps: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const rows: string[] = [];
  const rounds = Number(arg("--rounds", "5"));
  for (let round = 1; round <= rounds; round++) {
    const cells: string[] = [];
    for (const name of round % 2 ? names : [...names].reverse()) {
      const target: Target = { name, origin, path: paths[name].path, headers: () => ({ authorization: `Bearer ${token}` }), ca };
      const c1 = await measure(target, 1, REQUESTS, paths[name].body, false);
      const c50 = await measure(target, 50, REQUESTS, paths[name].body, false);
      p50[name]!.push(c1.p50);
      rps[name]!.push(c50.rps);
      const errors = c1.errors + c50.errors;
      cells[names.indexOf(name)] = `${c1.p50.toFixed(3)} ms, ${c50.rps.toFixed(0)}/s${errors ? ` (${errors} errors)` : ""}`;
    }
    rows.push(`| ${round} | ${cells.join(" | ")} |`);
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const ratio = (series: Record<string, number[]>, name: string) =>
    median(series[name]!.map((v, i) => v / series[names[0]!]![i]!)).toFixed(2);
  process.stdout.write(
    [
      `Node ${process.version}, ${availableParallelism()} cores, ${REQUESTS} requests per phase, cached token, the built-in keyless-echo model`,
      "",
      `| round | ${names.map((n) => `${n}: c=1 p50, c=50 rate`).join(" | ")} |`,
      `| --- | ${names.map(() => "---").join(" | ")} |`,
      ...rows,
      `| median ratio to chat (c=1 p50 latency; c=50 throughput) | ${names.map((n) => `${ratio(p50, n)}×; ${ratio(rps, n)}×`).join(" | ")} |`,
      "",
    ].join("\n"),
  );
}

/** Microsoft.DefaultV2's filters, each switched off: a policy that screens nothing (the "no filter" baseline). */
const NOTHING_ENABLED = [
  ...["Hate", "Sexual", "Selfharm", "Violence"].flatMap((name) =>
    ["Prompt", "Completion"].map((source) => ({ name, enabled: false, blocking: false, severityThreshold: "Medium", source })),
  ),
  { name: "Jailbreak", enabled: false, blocking: false, source: "Prompt" },
  { name: "Protected Material Text", enabled: false, blocking: false, source: "Completion" },
  { name: "Protected Material Code", enabled: false, blocking: false, source: "Completion" },
];
const TERMS = 10_000;
const term = (i: number) => `blocked${i} phrase${i % 97}`;

/**
 * `--content-filter [--rounds 5]`: what screening costs per call. Three deployments of the same mock model: a policy
 * with every filter off (no screening), Microsoft.DefaultV2 (the built-in classifier on prompt and completion), and
 * DefaultV2 plus a 10,000-term blocklist on prompt and completion. Measured in turn at c=1 and c=50 each round (order
 * reversed every other round); the figure is the median over rounds of each throughput relative to the unscreened
 * one in the same round. Then, in this process, the compile time of the 10k-term list and the screening time of
 * one prompt of 20 and of 4,000 characters.
 */
async function contentFilterCost(
  url: string,
  accountId: string,
  armToken: string,
  origin: string,
  path: string,
  token: string,
  ca: string,
) {
  const arm = async (method: string, at: string, body: unknown) => {
    const r = await call(method, `${url}${accountId}${at}${at.includes("?") ? "&" : "?"}api-version=2024-10-01`, armToken, body);
    if (r.status >= 300) throw new Error(`${method} ${at}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  process.stderr.write(`loading a ${TERMS}-term blocklist…\n`);
  await arm("PUT", "/raiBlocklists/bench10k", { properties: { description: "bench" } });
  for (let start = 0; start < TERMS; start += 100) {
    const batch = Array.from({ length: 100 }, (_, k) => ({
      name: `t${start + k}`,
      properties: { pattern: term(start + k), isRegex: false },
    }));
    await arm("POST", "/raiBlocklists/bench10k/addRaiBlocklistItems", batch);
  }
  await arm("PUT", "/raiPolicies/bench-none", { properties: { basePolicyName: "Microsoft.DefaultV2", contentFilters: NOTHING_ENABLED } });
  await arm("PUT", "/raiPolicies/bench-10k", {
    properties: {
      basePolicyName: "Microsoft.DefaultV2",
      customBlocklists: [
        { blocklistName: "bench10k", blocking: true, source: "Prompt" },
        { blocklistName: "bench10k", blocking: true, source: "Completion" },
      ],
    },
  });
  const variants = {
    "no screening": "bench-none",
    "Microsoft.DefaultV2": "Microsoft.DefaultV2",
    "DefaultV2 + 10k-term blocklist": "bench-10k",
  };
  for (const policy of Object.values(variants)) {
    await arm("PUT", `/deployments/${policy.toLowerCase()}`, {
      sku: { name: "Standard", capacity: 100_000 },
      properties: { model: { format: "Bench", name: "bench", version: "1" }, raiPolicyName: policy },
    });
  }
  const names = Object.keys(variants) as (keyof typeof variants)[];
  const results: Record<string, { c1: number[]; rps: number[] }> = Object.fromEntries(names.map((n) => [n, { c1: [], rps: [] }]));
  const rows: string[] = [];
  const rounds = Number(arg("--rounds", "5"));
  for (let round = 1; round <= rounds; round++) {
    const cells: string[] = [];
    for (const name of round % 2 ? names : [...names].reverse()) {
      const body = JSON.stringify({ model: variants[name].toLowerCase(), messages: [{ role: "user", content: "Say something short." }] });
      const target: Target = { name, origin, path, headers: () => ({ authorization: `Bearer ${token}` }), ca };
      const c1 = await measure(target, 1, REQUESTS, body, false);
      const c50 = await measure(target, 50, REQUESTS, body, false);
      results[name]!.c1.push(c1.p50);
      results[name]!.rps.push(c50.rps);
      cells[names.indexOf(name)] =
        `${c1.p50.toFixed(3)} ms / ${c50.rps.toFixed(0)}${c1.errors + c50.errors ? ` (${c1.errors + c50.errors} errors)` : ""}`;
    }
    rows.push(`| ${round} | ${cells.join(" | ")} |`);
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const ratio = (name: string) => median(results[name]!.rps.map((r, i) => r / results["no screening"]!.rps[i]!));
  const p50Delta = (name: string) => median(results[name]!.c1.map((v, i) => v - results["no screening"]!.c1[i]!));

  // In process: compiling the list, and screening one text, without HTTP around it.
  const items = Array.from({ length: TERMS }, (_, i) => ({ name: `t${i}`, pattern: term(i), isRegex: false }));
  let started = performance.now();
  for (let i = 0; i < 10; i++) compileBlocklists([{ id: "bench10k", items }]);
  const compileMs = (performance.now() - started) / 10;
  const policy = compilePolicy(
    { name: "p", mode: "Default", contentFilters: [], customBlocklists: [{ blocklistName: "bench10k", source: "Prompt" }], revision: "1" },
    new Map([["bench10k", items]]),
  );
  const filter = { policy, classifier: builtinClassifier };
  const long = "The quick brown fox jumps over the lazy dog, again and again. ".repeat(64).slice(0, 4000);
  const screenUs = async (text: string) => {
    for (let i = 0; i < 200; i++) await screenTexts(filter, "prompt", [text]);
    started = performance.now();
    for (let i = 0; i < 2000; i++) await screenTexts(filter, "prompt", [text]);
    return ((performance.now() - started) / 2000) * 1000;
  };
  const short = await screenUs("Say something short.");
  const longUs = await screenUs(long);
  process.stdout.write(
    [
      `Node ${process.version}, ${availableParallelism()} cores, ${REQUESTS} requests per phase, cached token; cells: c=1 p50 / c=50 req/s`,
      "",
      `| round | ${names.join(" | ")} |`,
      `| --- | ${names.map(() => "---").join(" | ")} |`,
      ...rows,
      `| median c=50 throughput vs no screening | ${names.map((n) => `${ratio(n).toFixed(3)}×`).join(" | ")} |`,
      `| median c=1 p50 added | ${names.map((n) => `${p50Delta(n).toFixed(3)} ms`).join(" | ")} |`,
      "",
      `In process: compiling the ${TERMS}-term list ${compileMs.toFixed(1)} ms; screening a prompt (blocklist + classifier) of 20 characters ${short.toFixed(1)} µs, of 4,000 characters ${longUs.toFixed(1)} µs.`,
      "",
    ].join("\n"),
  );
}

if (process.argv.includes("--role")) {
  await runRole(arg("--role", ""));
} else {
  try {
    await main();
  } finally {
    for (const child of children) child.kill("SIGTERM");
  }
}
