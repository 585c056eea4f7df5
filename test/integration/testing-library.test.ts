/**
 * keyless/testing in the checkout (Node 24, so the server runs in this process after start): the world's app
 * chats through @azure-rest/ai-inference with the returned credential and client options, account keys work, and
 * `reset()` forgets a resource group created since start while ids, ports and secrets stay valid; a later start of
 * the same world is copied from the prepared-world cache.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, test } from "node:test";
import ModelClient from "@azure-rest/ai-inference";
import { request } from "undici";
import { type KeylessServer, startKeyless } from "../../src/testing/index.ts";

const WORLD = join(import.meta.dirname, "..", "fixtures", "package", "world.yaml");
let keyless: KeylessServer;

before(async () => {
  keyless = await startKeyless({ world: WORLD });
});
after(() => keyless?.stop());

const chat = async () => {
  const client = ModelClient(keyless.demo!.endpoint, await keyless.credential("ci-pipeline"), {
    credentials: { scopes: ["https://cognitiveservices.azure.com/.default"] },
    ...keyless.clientOptions,
  });
  return client.path("/chat/completions").post({ body: { model: keyless.demo!.deployment, messages: [{ role: "user", content: "hi" }] } });
};

const groupStatus = async (method: "PUT" | "GET") => {
  const token = await (await keyless.credential()).getToken("https://management.core.windows.net//.default");
  const response = await request(
    `${keyless.url}/subscriptions/${keyless.subscriptionId}/resourcegroups/rg-made-by-a-test?api-version=2021-04-01`,
    {
      method,
      dispatcher: keyless.dispatcher,
      headers: { authorization: `Bearer ${token!.token}`, "content-type": "application/json" },
      ...(method === "PUT" ? { body: JSON.stringify({ location: "eastus" }) } : {}),
    },
  );
  await response.body.dump();
  return response.statusCode;
};

test("the world's app chats with the credential and client options startKeyless returns", async () => {
  const response = await chat();
  assert.equal(response.status, "200", JSON.stringify(response.body));
  assert.ok(keyless.users["alice@keyless.local"]);
  assert.match((await keyless.accountKeys()).key1, /\S{16,}/);
});

test("reset() puts the world back: what a test created is gone, the world's secrets still work", async () => {
  assert.equal(await groupStatus("PUT"), 201);
  assert.equal(await groupStatus("GET"), 200);
  const url = keyless.url;
  await keyless.reset();
  assert.equal(keyless.url, url);
  assert.equal(await groupStatus("GET"), 404);
  assert.equal((await chat()).status, "200");
});

test("a world prepared by an earlier start comes from the prepared-world cache; another world or cache: false does not", async () => {
  const cache = mkdtempSync(join(tmpdir(), "keyless-world-cache-"));
  const changedWorld = join(cache, "..", `${basename(cache)}-world.yaml`);
  writeFileSync(changedWorld, `${readFileSync(WORLD, "utf8")}groups:\n  - displayName: one-more-group\n`);
  const previous = process.env.KEYLESS_TESTING_CACHE;
  process.env.KEYLESS_TESTING_CACHE = cache;
  const started: KeylessServer[] = [];
  const start = async (options: Parameters<typeof startKeyless>[0]) => {
    const server = await startKeyless(options);
    started.push(server);
    return server;
  };
  try {
    const first = await start({ world: WORLD });
    const [entry] = readdirSync(cache);
    assert.ok(entry, "the prepared world was saved");
    assert.equal(statSync(join(cache, entry)).mode & 0o777, 0o700);
    assert.equal(statSync(join(cache, entry, "prepared.json")).mode & 0o777, 0o600);
    const again = await start({ world: WORLD });
    assert.equal(again.tenantId, first.tenantId);
    assert.deepEqual(again.apps, first.apps);
    assert.equal(again.admin.password, first.admin.password);
    assert.notEqual(again.port, first.port);
    const token = await (await again.credential("ci-pipeline")).getToken("https://cognitiveservices.azure.com/.default");
    assert.ok(token?.token);
    assert.notEqual((await start({ world: WORLD, cache: false })).tenantId, first.tenantId);
    assert.notEqual((await start({ world: changedWorld })).tenantId, first.tenantId);
    // A KEYLESS_* setting in this process's environment reaches the server, so it is part of the key as well.
    process.env.KEYLESS_TOKEN_LIFETIME = "1800";
    try {
      assert.notEqual((await start({ world: WORLD })).tenantId, first.tenantId);
    } finally {
      delete process.env.KEYLESS_TOKEN_LIFETIME;
    }
    assert.equal(readdirSync(cache).length, 3);
  } finally {
    for (const server of started) await server.stop();
    if (previous === undefined) delete process.env.KEYLESS_TESTING_CACHE;
    else process.env.KEYLESS_TESTING_CACHE = previous;
    rmSync(cache, { recursive: true, force: true });
    rmSync(changedWorld, { force: true });
  }
});
