import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { lazyPool } from "../../src/inference/lazy-undici.ts";

const src = (path: string) => pathToFileURL(resolve(import.meta.dirname, "..", "..", "src", path)).href;

async function answering(): Promise<{ server: Server; origin: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.setHeader("content-type", "application/json");
    res.end('{"ok":true}');
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

/**
 * Runs `script` (an ES module) in a process of its own, as whether a module was loaded is per process, with
 * `loaded()` in scope (whether undici is loaded yet); answers what it printed, parsed as JSON.
 */
async function runAlone(script: string): Promise<unknown> {
  const preamble = `
    import { createRequire } from "node:module";
    const cache = createRequire(import.meta.url).cache;
    const loaded = () => Object.keys(cache).some((file) => file.includes("/undici/")) || process.moduleLoadList.some((m) => m.includes("undici"));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, [
    "--disable-warning=ExperimentalWarning",
    "--input-type=module",
    "-e",
    preamble + script,
  ]);
  return JSON.parse(stdout);
}

describe("undici loads on the first call out", () => {
  test("the clients that call out load no undici until their first call, which then works", async () => {
    const { server, origin, requests } = await answering();
    const script = `
      const { upstreamClient } = await import(${JSON.stringify(src("inference/backends/openai-compatible/upstream.ts"))});
      await import(${JSON.stringify(src("inference/content-filter/moderation-classifier.ts"))});
      await import(${JSON.stringify(src("inference/backends/entra-token.ts"))});
      const client = upstreamClient({
        baseUrl: ${JSON.stringify(`${origin}/v1`)},
        apiKey: undefined,
        timeouts: { connectMs: 5000, firstByteMs: 5000, totalMs: 10000, poolWaitMs: 5000 },
        maxConnections: 2,
      });
      const before = loaded();
      const signal = new AbortController().signal;
      const answers = await Promise.all([client.post("/chat/completions", {}, signal), client.post("/chat/completions", {}, signal)]);
      const bodies = await Promise.all(answers.map((answer) => answer.body.json()));
      await client.close();
      console.log(JSON.stringify({ before, after: loaded(), statuses: answers.map((a) => a.statusCode), bodies }));
    `;
    try {
      assert.deepEqual(await runAlone(script), { before: false, after: true, statuses: [200, 200], bodies: [{ ok: true }, { ok: true }] });
      assert.equal(requests(), 2);
    } finally {
      server.close();
    }
  });

  test("neither the server nor the CLI that runs it (keyless serve) loads undici; the CLI's first request does, and works", async () => {
    const { server, origin, requests } = await answering();
    const script = `
      await import(${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, "..", "..", "bin", "keyless-main.ts")).href)});
      await import(${JSON.stringify(src("main.ts"))});
      const { createTransport } = await import(${JSON.stringify(src("client/transport.ts"))});
      const before = loaded();
      const transport = createTransport();
      const answer = await transport.send({ method: "GET", url: ${JSON.stringify(`${origin}/`)} });
      await transport.close();
      console.log(JSON.stringify({ before, after: loaded(), status: answer.status, body: answer.body }));
    `;
    try {
      assert.deepEqual(await runAlone(script), { before: false, after: true, status: 200, body: { ok: true } });
      assert.equal(requests(), 1);
    } finally {
      server.close();
    }
  });

  test("a pool closed before its first request refuses it as a closed undici pool does", async () => {
    const { server, origin, requests } = await answering();
    try {
      const pool = lazyPool(origin, { connections: 1 });
      await pool.close();
      await assert.rejects(pool.request({ origin, path: "/", method: "GET" }), { code: "UND_ERR_CLOSED" });
      assert.equal(requests(), 0);
    } finally {
      server.close();
    }
  });
});
