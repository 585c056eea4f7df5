import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { after, before, describe, test } from "node:test";
import { type DataPlaneWorld, startDataPlaneWorld } from "../harness/data-plane-world.ts";
import { startUpstreamDouble } from "../harness/upstream-double.ts";

/** Polls `check` until it holds; fails after `ms` (a deadline for something that must happen, not a timing claim). */
async function eventually(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Threat: callers starving a backend of its pooled connections — streams whose client stops reading, one caller
 * opening many streams, calls queueing without bound for a connection. Streams not drained in time are cut and their
 * upstream connection released; streams per caller are capped (429); the wait for a connection is bounded (503).
 */
describe("stream starvation of a backend's connections", () => {
  let upstream: Awaited<ReturnType<typeof startUpstreamDouble>>;
  let world: DataPlaneWorld;

  before(async () => {
    upstream = await startUpstreamDouble();
    world = await startDataPlaneWorld({
      modelsYaml: [
        "backends:",
        `  - { name: narrow, type: openai-compatible, baseUrl: "${upstream.url}", maxConnections: 1, timeouts: { firstByteMs: 5000, poolWaitMs: 300 } }`,
        `  - { name: wide, type: openai-compatible, baseUrl: "${upstream.url}", maxConnections: 16 }`,
        "models:",
        '  - { format: Test, name: narrow-flood, version: "1", backend: narrow, upstreamModel: flood }',
        '  - { format: Test, name: narrow-ok, version: "1", backend: narrow, upstreamModel: ok }',
        '  - { format: Test, name: narrow-stall, version: "1", backend: narrow, upstreamModel: stall }',
        '  - { format: Test, name: wide-slow, version: "1", backend: wide, upstreamModel: slow }',
      ].join("\n"),
      env: { KEYLESS_STREAM_DRAIN_TIMEOUT_MS: "500", KEYLESS_MAX_STREAMS_PER_CALLER: "3" },
      deployments: ["narrow-flood", "narrow-ok", "narrow-stall", "wide-slow"].map((name) => ({
        name,
        model: `Test/${name}/1`,
        capacity: 1000,
      })),
    });
  });
  after(async () => {
    await world?.stop();
    await upstream?.close();
  });

  const chat = (deployment: string, body: Record<string, unknown> = {}, signal?: AbortSignal) =>
    fetch(world.deploymentUrl(deployment, "chat/completions"), {
      method: "POST",
      headers: { authorization: `Bearer ${world.token}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
      ...(signal ? { signal } : {}),
    });

  test("a caller that stops reading a stream is cut off and the backend's only connection is released", async () => {
    const client = httpsRequest(world.deploymentUrl("narrow-flood", "chat/completions"), {
      method: "POST",
      headers: { authorization: `Bearer ${world.token}`, "content-type": "application/json" },
    });
    client.on("response", (res) => res.pause()); // never reads a byte of the body
    client.on("error", () => undefined); // the server cuts this connection
    client.end(JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: true }));
    await eventually(() => upstream.seen.some((r) => r.model === "flood" && r.closedEarly), "the upstream flood stream was closed");
    const next = await chat("narrow-ok");
    assert.equal(next.status, 200, await next.clone().text());
    client.destroy();
  });

  test("a call that finds every backend connection busy waits a bounded time, then 503 BackendBusy with Retry-After", async () => {
    const stalls = new AbortController();
    const stalled = chat("narrow-stall", {}, stalls.signal).catch(() => undefined);
    const before = upstream.seen.filter((r) => r.model === "stall").length;
    await eventually(() => upstream.seen.filter((r) => r.model === "stall").length > before, "the stalled call reached the upstream");
    const busy = await chat("narrow-ok");
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get("retry-after"), "1");
    assert.equal(((await busy.json()) as { error: { code: string } }).error.code, "BackendBusy");
    stalls.abort();
    await stalled;
    await eventually(() => upstream.seen.some((r) => r.model === "stall" && r.closedEarly), "the stalled upstream call was released");
    assert.equal((await chat("narrow-ok")).status, 200);
  });

  test("one caller holds at most maxStreamsPerCaller streams; the next is 429 until one ends", async () => {
    const cancel = new AbortController();
    const open = await Promise.all([1, 2, 3].map(() => chat("wide-slow", { stream: true }, cancel.signal)));
    assert.deepEqual(
      open.map((r) => r.status),
      [200, 200, 200],
    );
    const refused = await chat("wide-slow", { stream: true });
    assert.equal(refused.status, 429);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "TooManyConcurrentStreams");
    assert.equal((await chat("narrow-ok")).status, 200, "calls that do not stream are not counted");
    cancel.abort();
    await Promise.all(open.map((r) => r.body?.cancel().catch(() => undefined)));
    let again: Response | undefined;
    for (let i = 0; i < 100 && again?.status !== 200; i++) {
      await again?.body?.cancel().catch(() => undefined);
      again = await chat("wide-slow", { stream: true, max_tokens: 1 });
      if (again.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(again?.status, 200);
    await again?.body?.cancel().catch(() => undefined);
  });
});
