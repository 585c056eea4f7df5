/**
 * keyless/testing in the checkout (Node 24, so the server runs in this process after start): the world's app
 * chats through @azure-rest/ai-inference with the returned credential and client options, account keys work, and
 * `reset()` forgets a resource group created since start while ids, ports and secrets stay valid.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
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
