import assert from "node:assert/strict";
import { createConnection } from "node:net";
import { after, before, describe, test } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { AzureOpenAI } from "openai";
import { type DataPlaneWorld, startDataPlaneWorld } from "../harness/data-plane-world.ts";
import { startUpstreamDouble } from "../harness/upstream-double.ts";

/**
 * A rolling restart: SIGTERM turns a node not-ready and stops it accepting connections, lets the calls in flight
 * finish within `shutdownGraceSeconds`, ends the streams still open at the grace with an SSE error event in the
 * data plane's shape, and exits 0.
 */
describe("graceful shutdown on SIGTERM", () => {
  let upstream: Awaited<ReturnType<typeof startUpstreamDouble>>;
  before(async () => {
    upstream = await startUpstreamDouble();
  });
  after(() => upstream.close());

  /** A node whose deployment `slow` streams 50 chunks, one every 100 ms, from the upstream double. */
  const slowWorld = (graceSeconds: number) =>
    startDataPlaneWorld({
      modelsYaml: [
        "backends:",
        "  - name: double",
        "    type: openai-compatible",
        `    baseUrl: ${upstream.url}`,
        "models:",
        '  - { format: Upstream, name: slow, version: "1", backend: double }',
      ].join("\n"),
      env: { KEYLESS_SHUTDOWN_GRACE_SECONDS: String(graceSeconds) },
      deployments: [{ name: "slow", model: "Upstream/slow/1", capacity: 100 }],
    });
  const client = (world: DataPlaneWorld) =>
    new AzureOpenAI({
      endpoint: `${world.keyless.facts.url}/accounts/${world.account}`,
      deployment: "slow",
      apiVersion: "2024-10-21",
      maxRetries: 0,
      azureADTokenProvider: async () => world.token,
    });

  /** Resolves once a new TCP connection to the node's port is refused. */
  async function refusedSoon(port: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = createConnection({ host: "127.0.0.1", port });
        socket.once("connect", () => {
          socket.destroy();
          resolve(false);
        });
        socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
      });
      if (refused) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail("new connections were still accepted 5 s after SIGTERM");
  }

  test("a stream in flight completes; new connections are refused; /readyz is 503 on a connection already open; exit 0", async () => {
    const world = await slowWorld(30);
    try {
      const { port } = world.keyless.facts;
      // A request begun before the signal and finished after it: its connection stays open through the drain.
      const pending = tlsConnect({ host: "127.0.0.1", port, servername: "localhost" });
      await new Promise((resolve) => pending.once("secureConnect", resolve));
      pending.write("GET /readyz HTTP/1.1\r\nHost: localhost\r\n");
      let readyzAnswer = "";
      pending.on("data", (d) => {
        readyzAnswer += d;
      });
      const readyzClosed = new Promise((resolve) => pending.once("close", resolve));

      const stream = await client(world).chat.completions.create({
        model: "slow",
        stream: true,
        messages: [{ role: "user", content: "go" }],
      });
      const words: string[] = [];
      let signalled = false;
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta?.content;
        if (piece) words.push(piece.trim());
        if (!signalled && words.length === 3) {
          signalled = true;
          process.kill(world.keyless.pid, "SIGTERM");
          await refusedSoon(port);
          pending.write("\r\n");
        }
      }
      assert.equal(words.length, 50, "every chunk of the stream arrived");
      assert.equal(words.at(-1), "w49");
      await readyzClosed;
      assert.match(readyzAnswer, /^HTTP\/1\.1 503/);
      assert.match(readyzAnswer, /connection: close/i);
      assert.match(readyzAnswer, /"not-ready"/);
      assert.equal(await world.keyless.exited, 0);
    } finally {
      await world.stop();
    }
  });

  test("a stream still open at the grace ends with a ServiceShuttingDown error event the openai SDK raises; exit 0", async () => {
    const world = await slowWorld(1);
    try {
      const stream = await client(world).chat.completions.create({
        model: "slow",
        stream: true,
        messages: [{ role: "user", content: "go" }],
      });
      let chunks = 0;
      let signalledAt = 0;
      await assert.rejects(
        (async () => {
          for await (const chunk of stream) {
            if (chunk.choices[0]?.delta?.content) chunks++;
            if (chunks === 2 && signalledAt === 0) {
              signalledAt = Date.now();
              process.kill(world.keyless.pid, "SIGTERM");
            }
          }
        })(),
        (err: { code?: string; message: string }) => {
          assert.equal(err.code, "ServiceShuttingDown");
          assert.match(err.message, /shutting down/);
          return true;
        },
      );
      // Cut at the grace, not at the signal: the stream kept flowing for about a second after SIGTERM.
      assert.ok(chunks >= 5 && chunks < 50, `${chunks} chunks before the cut`);
      assert.ok(Date.now() - signalledAt >= 900, `cut ${Date.now() - signalledAt} ms after the signal`);
      assert.equal(await world.keyless.exited, 0);
    } finally {
      await world.stop();
    }
  });
});
