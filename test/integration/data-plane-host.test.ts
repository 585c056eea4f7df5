import assert from "node:assert/strict";
import type { LookupOptions } from "node:dns";
import { after, before, describe, test } from "node:test";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { AzureOpenAI } from "openai";
import { Agent, fetch as undiciFetch } from "undici";
import { ARM_SCOPE, adminCredential, call } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";

/**
 * `accountHostSuffix`: the account named by the host, as `{account}.openai.azure.com`. No DNS here answers for
 * `*.localhost`, so the client's connections resolve every name to loopback, and the test certificate (issued
 * for `localhost`) is checked against that name; the Host header and SNI still carry `keyless-demo.localhost`.
 */
const loopback = new Agent({
  connect: {
    // biome-ignore lint/suspicious/noExplicitAny: net's lookup callback is overloaded on `options.all`.
    lookup: (_host: string, options: LookupOptions, done: (err: null, address: any, family?: number) => void) =>
      options.all ? done(null, [{ address: "127.0.0.1", family: 4 }]) : done(null, "127.0.0.1", 4),
    checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity("localhost", cert),
  },
});
const viaLoopback = ((url: string, init?: object) => undiciFetch(url, { ...init, dispatcher: loopback })) as unknown as typeof fetch;

describe("the account in the host name", () => {
  const keyless = useKeyless({ env: { KEYLESS_ACCOUNT_HOST_SUFFIX: "localhost" } });
  let key: string;
  let hostUrl: string;

  before(async () => {
    const { facts } = keyless;
    const arm = (await adminCredential(facts).getToken(ARM_SCOPE))!.token;
    const keys = await call(
      "POST",
      `${facts.url}/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}/listKeys?api-version=2023-05-01`,
      arm,
    );
    assert.equal(keys.status, 200, JSON.stringify(keys.body));
    key = keys.body.key1;
    hostUrl = `https://${facts.demo!.account}.localhost:${facts.port}`;
  });
  after(async () => {
    await loopback.close();
  });

  test("AzureOpenAI on https://{account}.localhost: chat on the deployment path, as against {account}.openai.azure.com", async () => {
    const client = new AzureOpenAI({
      endpoint: hostUrl,
      apiKey: key,
      deployment: "echo",
      apiVersion: "2024-10-21",
      fetch: viaLoopback,
      maxRetries: 0,
    });
    const chat = await client.chat.completions.create({ model: "echo", messages: [{ role: "user", content: "by host" }] });
    assert.equal(chat.choices[0]!.message.content, 'You said: "by host"');
  });

  test("Foundry /models on the account host; an unknown account is AccountNotFound; a host that names none is 404 saying how", async () => {
    const chat = (base: string) =>
      viaLoopback(`${base}/models/chat/completions?api-version=2024-05-01-preview`, {
        method: "POST",
        headers: { "api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "x" }] }),
      });
    const ok = await chat(hostUrl);
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal(((await ok.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content, 'You said: "x"');

    const unknown = await chat(`https://nobody.localhost:${keyless.facts.port}`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, "AccountNotFound");

    const bare = await chat(keyless.facts.url);
    assert.equal(bare.status, 404);
    const error = ((await bare.json()) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "AccountHostNotRecognized");
    assert.match(error.message, /\{account\}\.localhost/);

    // The path form keeps working beside it.
    const byPath = await viaLoopback(
      `${keyless.facts.url}/accounts/${keyless.facts.demo!.account}/openai/deployments/echo/chat/completions?api-version=2024-10-21`,
      {
        method: "POST",
        headers: { "api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
      },
    );
    assert.equal(byPath.status, 200);
  });
});
