/**
 * Worst single requests on the data plane: the largest requests the default limits accept, and the attacks they
 * refuse, each sent once (after a warm-up) to a Keyless running in this process, from a client in a worker thread
 * (its own event loop). For each: the longest the server's event loop was held (monitorEventLoopDelay, max), the
 * wall time, and the heap growth (peak heapUsed sampled every millisecond, minus the heap after a GC before the
 * request). Not a timed test (docs/benchmarks.md).
 *
 *   node --expose-gc bench/request-limits.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { loadConfig } from "../src/config/load.ts";
import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";
import { countTokens, loadTokenizer } from "../src/inference/token-count.ts";
import { startKeyless } from "../src/main.ts";

const CLI_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const PASSWORD = "Bench-Admin-Password-1";
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** The client: one HTTPS request per message, answering with the status and the size of the body it read. */
const CLIENT = `
const { parentPort, workerData } = require("node:worker_threads");
const https = require("node:https");
parentPort.on("message", ({ url, headers, body }) => {
  const req = https.request(url, { method: "POST", headers, ca: workerData.ca }, (res) => {
    let size = 0;
    res.on("data", (d) => (size += d.length));
    res.on("end", () => parentPort.postMessage({ status: res.statusCode, size }));
  });
  req.on("error", (err) => parentPort.postMessage({ status: 0, size: 0, error: String(err) }));
  req.end(body);
});
`;

const words = "The quick brown fox jumps over the lazy dog while the committee considers its quarterly report. ";
const text = (chars: number) => words.repeat(Math.ceil(chars / words.length)).slice(0, chars);

interface Case {
  name: string;
  path: "chat" | "embed" | "small";
  body: unknown;
}

const cases: Case[] = [
  {
    name: "chat: 500 KB English prompt (~105k tokens, echoed back)",
    path: "chat",
    body: { messages: [{ role: "user", content: text(500_000) }] },
  },
  {
    name: "chat: 300 KB one-word prompt (the attack), echoed back",
    path: "chat",
    body: { messages: [{ role: "user", content: "a".repeat(300_000) }] },
  },
  {
    name: "chat: 1 MB body of 38,000 one-letter content parts",
    path: "chat",
    body: { messages: [{ role: "user", content: Array.from({ length: 38_000 }, () => ({ type: "text", text: "a" })) }], max_tokens: 5 },
  },
  {
    name: "chat: 1 MiB one-word prompt over a 4,096-token window (refused)",
    path: "small",
    body: { messages: [{ role: "user", content: "a".repeat(1_000_000) }] },
  },
  {
    name: "embeddings: 2,048 inputs × 480 chars, 1,536 floats each",
    path: "embed",
    body: { input: Array.from({ length: 2048 }, (_, i) => `${i} ${text(475)}`) },
  },
  {
    name: "embeddings: 2,048 inputs × 480 chars, base64",
    path: "embed",
    body: { input: Array.from({ length: 2048 }, (_, i) => `${i} ${text(475)}`), encoding_format: "base64" },
  },
  {
    name: "embeddings: 90,000 inputs, dimensions 8192 (refused)",
    path: "embed",
    body: { input: Array.from({ length: 90_000 }, () => "ab"), dimensions: 8192 },
  },
];

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "keyless-bench-limits-"));
  const modelsFile = join(dataDir, "models.yaml");
  writeFileSync(
    modelsFile,
    'models:\n  - { format: Test, name: small-context, version: "1", backend: builtin-chat, contextTokens: 4096 }\n',
  );
  const config = loadConfig({
    env: {
      KEYLESS_DATA_DIR: dataDir,
      KEYLESS_PORT: "0",
      KEYLESS_LOG_LEVEL: "error",
      KEYLESS_ADMIN_PASSWORD: PASSWORD,
      KEYLESS_STORAGE: "sqlite::memory:",
      KEYLESS_MODELS_FILE: modelsFile,
    },
  });
  const keyless = await startKeyless(config);
  const ca = readFileSync(keyless.tls.caPath, "utf8");
  const worker = new Worker(CLIENT, { eval: true, workerData: { ca } });
  const send = (url: string, headers: Record<string, string>, body: string) =>
    new Promise<{ status: number; size: number; error?: string }>((resolve) => {
      worker.once("message", resolve);
      worker.postMessage({ url, headers, body });
    });
  try {
    const { url, facts } = keyless;
    const token = await adminToken(url, facts.tenantId, facts.adminUsername, ca);
    const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}`;
    const arm = (method: string, path: string, body?: unknown) =>
      fetchJson(
        `${url}${accountId}${path}`,
        { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body },
        ca,
      );
    for (const [name, format, model] of [
      ["bench-chat", "Keyless", "keyless-echo"],
      ["bench-embed", "Keyless", "keyless-embed"],
      ["bench-small", "Test", "small-context"],
    ]) {
      await arm("PUT", `/deployments/${name}?api-version=2023-05-01`, {
        sku: { name: "Standard", capacity: 100_000 },
        properties: { model: { format, name: model, version: "1" } },
      });
    }
    const key = ((await arm("POST", "/listKeys?api-version=2023-05-01", {})) as { key1: string }).key1;
    const base = `${url}/accounts/${facts.demo!.account}/openai/deployments`;
    const urls = {
      chat: `${base}/bench-chat/chat/completions`,
      embed: `${base}/bench-embed/embeddings`,
      small: `${base}/bench-small/chat/completions`,
    };
    const headers = { "api-key": key, "content-type": "application/json" };

    console.log(
      `# request limits — ${cpus()[0]?.model ?? "cpu"} × ${availableParallelism()}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}\n`,
    );
    tokenizerSideBySide();
    console.log("| request | status | body → response | event-loop delay p99 / max | wall | heap growth (peak) |");
    console.log("|---|---|---|---|---|---|");
    for (const c of cases) {
      const body = JSON.stringify(c.body);
      const target = `${urls[c.path]}?api-version=2024-10-21`;
      await send(target, headers, body); // warm-up: JIT, caches
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      let heapPeak = heapBefore;
      const sampler = setInterval(() => {
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }, 1);
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const started = performance.now();
      const result = await send(target, headers, body);
      const wall = performance.now() - started;
      loop.disable();
      clearInterval(sampler);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      const size = `${(body.length / 1024).toFixed(0)} KB → ${(result.size / 1024).toFixed(0)} KB`;
      console.log(
        `| ${c.name} | ${result.status} | ${size} | ${(loop.percentile(99) / 1e6).toFixed(1)} / ${(loop.max / 1e6).toFixed(1)} ms | ${wall.toFixed(0)} ms | ${((heapPeak - heapBefore) / 2 ** 20).toFixed(1)} MB |`,
      );
    }
  } finally {
    await worker.terminate();
    await keyless.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One long word counted by gpt-tokenizer directly (quadratic) and by Keyless's counter (linear), same run. */
function tokenizerSideBySide(): void {
  for (const length of [4000, 16_000]) {
    const word = "a".repeat(length);
    countO200k(word.slice(0, 100)); // load the ranks
    let t = performance.now();
    const direct = countO200k(word);
    const directMs = performance.now() - t;
    t = performance.now();
    const ours = countTokens(word);
    const oursMs = performance.now() - t;
    console.log(
      `- one ${length}-letter word: gpt-tokenizer ${directMs.toFixed(1)} ms (${direct} tokens), Keyless ${oursMs.toFixed(2)} ms (${ours} tokens): ×${(directMs / oursMs).toFixed(0)}`,
    );
  }
  console.log("");
}

async function adminToken(url: string, tenant: string, username: string, ca: string): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "password",
    client_id: CLI_CLIENT,
    username,
    password: PASSWORD,
    scope: "https://management.core.windows.net//.default",
  });
  const body = (await fetchJson(`${url}/${tenant}/oauth2/v2.0/token`, { method: "POST", form }, ca)) as { access_token: string };
  return body.access_token;
}

/** JSON over HTTPS trusting the service's own CA (fetch cannot take a CA per call). */
async function fetchJson(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: unknown; form?: URLSearchParams },
  ca: string,
): Promise<unknown> {
  const { request } = await import("node:https");
  const payload = options.form ? options.form.toString() : options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = { ...options.headers, ...(options.form ? { "content-type": "application/x-www-form-urlencoded" } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method, headers, ca }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${options.method} ${url}: ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve(text === "" ? undefined : JSON.parse(text));
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

await loadTokenizer();
await main();
