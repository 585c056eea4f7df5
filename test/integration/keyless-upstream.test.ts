import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { getBearerTokenProvider } from "@azure/identity";
import { OpenAI } from "openai";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  assignRole,
  COGNITIVE_SCOPE,
  call,
  demoAccountId,
  GRAPH_SCOPE,
  registerApp,
} from "../harness/clients.ts";
import { addCertificate, addFederatedCredential } from "../harness/graph-credentials.ts";
import { startServer, type TestServer } from "../harness/keyless.ts";
import { managedIdentityFixture } from "../harness/managed-identity-fixture.ts";
import { startOidcIssuer } from "../harness/oidc-issuer.ts";
import { parsePrometheus, total } from "../harness/prometheus-text.ts";
import { RoleIds } from "../harness/role-ids.ts";
import { selfSignedCertificate } from "../harness/test-certificates.ts";

type App = { appId: string; secret: string; objectId: string; applicationId: string };

/**
 * Keyless A serves models whose backend is Keyless B's Azure OpenAI route, reached without a key: A gets an Entra
 * token from B's token service (client secret, certificate assertion, federated token file) or B's managed-identity
 * endpoint, as a principal B authorizes with Cognitive Services User.
 */
describe("keyless upstream: one Keyless calling another with Entra tokens", () => {
  let upstream: TestServer;
  let gateway: TestServer;
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;
  let gatewayApp: App;
  let caller: App;
  let assignmentId: string;
  let upstreamArmToken: string;
  const workDir = mkdtempSync(join(tmpdir(), "keyless-upstream-"));
  const MODELS = ["via-secret", "via-certificate", "via-federation", "via-managed-identity", "via-eager", "via-v1"] as const;

  before(async () => {
    issuer = await startOidcIssuer();
    upstream = await startServer({ env: { KEYLESS_METRICS_PORT: "0", KEYLESS_FEDERATED_ISSUERS: issuer.issuer } });
    const b = upstream.facts;
    const graphToken = (await adminCredential(b).getToken(GRAPH_SCOPE))!.token;
    upstreamArmToken = (await adminCredential(b).getToken(ARM_SCOPE))!.token;
    gatewayApp = await registerApp(b, graphToken, "gateway-a");
    const certificate = await selfSignedCertificate("gateway-a");
    await addCertificate(b, graphToken, gatewayApp.applicationId, certificate.certificatePem);
    const subject = "system:serviceaccount:gateway:keyless-a";
    await addFederatedCredential(b, graphToken, gatewayApp.applicationId, { name: "gateway", issuer: issuer.issuer, subject });
    const assignment = await assignRole(b, upstreamArmToken, {
      scope: demoAccountId(b),
      role: RoleIds.cognitiveServicesUser,
      principalId: gatewayApp.objectId,
      principalType: "ServicePrincipal",
    });
    assignmentId = assignment.id;
    const identity = await managedIdentityFixture(upstream, "gateway-a-identity");
    await assignRole(b, upstreamArmToken, {
      scope: demoAccountId(b),
      role: RoleIds.cognitiveServicesUser,
      principalId: identity.identity.principalId,
      principalType: "ServicePrincipal",
    });

    const certificateFile = join(workDir, "gateway.pem");
    writeFileSync(certificateFile, certificate.privateKeyPem + certificate.certificatePem);
    const tokenFile = join(workDir, "federated-token");
    writeFileSync(tokenFile, await issuer.mint(subject, "api://AzureADTokenExchange", 3600));
    const endpoint = `${b.url}/accounts/${b.demo!.account}`;
    const authority = [`      authorityHost: ${b.url}`, `      tenantId: ${b.tenantId}`, `      clientId: ${gatewayApp.appId}`];
    const backend = (name: string, auth: string[]) => [
      `  - name: ${name}`,
      "    type: azure-openai",
      `    endpoint: ${endpoint}`,
      "    apiVersion: 2024-10-21",
      "    auth:",
      ...auth,
    ];
    const modelsFile = join(workDir, "models.yaml");
    writeFileSync(
      modelsFile,
      [
        "backends:",
        ...backend("b-secret", ["      type: client-secret", ...authority, "      clientSecretEnv: GATEWAY_SECRET"]),
        ...backend("b-certificate", ["      type: client-certificate", ...authority, "      certificateFile: gateway.pem"]),
        ...backend("b-federation", ["      type: workload-identity", ...authority, "      tokenFile: federated-token"]),
        ...backend("b-managed-identity", [
          "      type: managed-identity",
          "      endpointEnv: GATEWAY_IDENTITY_ENDPOINT",
          "      identityHeaderEnv: GATEWAY_IDENTITY_HEADER",
        ]),
        // B's tokens live 3,900 s: a refresh window longer than that makes every call fetch a new one.
        ...backend("b-eager", [
          "      type: client-secret",
          ...authority,
          "      clientSecretEnv: GATEWAY_SECRET",
          "      refreshBeforeExpirySeconds: 7200",
        ]),
        // The same bearer on an openai-compatible backend: B's OpenAI v1 route.
        "  - name: b-v1",
        "    type: openai-compatible",
        `    baseUrl: ${endpoint}/openai/v1`,
        "    auth:",
        "      type: client-certificate",
        ...authority,
        "      certificateFile: gateway.pem",
        "models:",
        ...MODELS.map((m) => `  - { format: Upstream, name: ${m}, version: "1", backend: b-${m.slice(4)}, upstreamModel: echo }`),
      ].join("\n"),
    );
    // The process reads the secrets from its environment, as an operator's service would.
    gateway = await startServer({
      process: true,
      env: {
        KEYLESS_MODELS_FILE: modelsFile,
        GATEWAY_SECRET: gatewayApp.secret,
        GATEWAY_IDENTITY_ENDPOINT: identity.appServiceEnv.IDENTITY_ENDPOINT!,
        GATEWAY_IDENTITY_HEADER: identity.appServiceEnv.IDENTITY_HEADER!,
      },
    });
    const a = gateway.facts;
    const aGraph = (await adminCredential(a).getToken(GRAPH_SCOPE))!.token;
    const aArm = (await adminCredential(a).getToken(ARM_SCOPE))!.token;
    caller = await registerApp(a, aGraph, "gateway-caller");
    await assignRole(a, aArm, { scope: demoAccountId(a), role: RoleIds.cognitiveServicesUser, principalId: caller.objectId });
    for (const name of MODELS) {
      const put = await call("PUT", `${a.url}${demoAccountId(a)}/deployments/${name}?api-version=2023-05-01`, aArm, {
        sku: { name: "Standard", capacity: 100 },
        properties: { model: { format: "Upstream", name, version: "1" } },
      });
      assert.equal(put.status, 201, JSON.stringify(put.body));
    }
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
    await upstream?.stop();
    upstream?.cleanup();
    await issuer?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const client = () =>
    new OpenAI({
      baseURL: `${gateway.facts.url}/accounts/${gateway.facts.demo!.account}/openai/v1/`,
      apiKey: getBearerTokenProvider(appCredential(gateway.facts, caller.appId, caller.secret), COGNITIVE_SCOPE),
      maxRetries: 0,
    });
  const chat = (model: string, text: string) => client().chat.completions.create({ model, messages: [{ role: "user", content: text }] });
  /** Client-credentials tokens B has issued so far (its Prometheus counter). */
  const tokensIssued = async () =>
    total(parsePrometheus(await (await fetch(upstream.facts.metricsUrl!)).text()), "keyless_tokens_issued_total", {
      grant: "client_credentials",
      result: "issued",
    });

  test("A answers through B with each kind of credential", async () => {
    for (const model of MODELS) {
      const completion = await chat(model, `hello from ${model}`);
      assert.equal(completion.choices[0]!.message.content, `You said: "hello from ${model}"`, model);
    }
    const stream = await client().chat.completions.create({
      model: "via-certificate",
      stream: true,
      messages: [{ role: "user", content: "streamed through B" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    assert.equal(text, 'You said: "streamed through B"');
    // The Responses API on A is adapted onto B's chat completions.
    const response = await client().responses.create({ model: "via-federation", input: "responses over B" });
    assert.equal(response.output_text, 'You said: "responses over B"');
  });

  test("a token is reused until it nears expiry; a refresh window longer than its life fetches one per call", async () => {
    const before = await tokensIssued();
    for (let i = 0; i < 3; i++) await chat("via-secret", "cached");
    assert.equal(await tokensIssued(), before, "the cached token was used");
    await chat("via-eager", "one");
    await chat("via-eager", "two");
    assert.equal(await tokensIssued(), before + 2, "each call within the refresh window asked B for a new token");
  });

  test("after B removes the role assignment, A refuses with a clear error, having tried one fresh token", async () => {
    const removed = await call("DELETE", `${upstream.facts.url}${assignmentId}?api-version=2022-04-01`, upstreamArmToken);
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const before = await tokensIssued();
    await assert.rejects(chat("via-secret", "still there?"), (err: unknown) => {
      const e = err as { status: number; code: string; message: string };
      assert.equal(e.status, 502);
      assert.equal(e.code, "BackendAuthorizationFailed");
      assert.match(e.message, /refused this service's own credential \(HTTP 401 PermissionDenied\)/);
      // B's own message (its principal ids and resource) is not passed to A's caller.
      assert.doesNotMatch(e.message, new RegExp(gatewayApp.objectId));
      return true;
    });
    assert.equal(await tokensIssued(), before + 1, "the 401 made A fetch one new token and retry once");
    // The managed identity still holds its own assignment.
    assert.equal((await chat("via-managed-identity", "mi")).choices[0]!.message.content, 'You said: "mi"');
  });
});
