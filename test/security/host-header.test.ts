import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { systemClock } from "../../src/core/clock.ts";
import { clientAssertion } from "../../src/client/client-assertion.ts";
import { mintAccessToken } from "../../src/tokens/mint.ts";
import { adminCredential, AZURE_CLI_CLIENT_ID, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { directoryAccess } from "../harness/directory-access.ts";
import { addCertificate } from "../harness/graph-credentials.ts";
import { useKeyless } from "../harness/keyless.ts";
import { selfSignedCertificate } from "../harness/test-certificates.ts";

const EVIL = "evil.example";

/**
 * Threat: audiences built from the request's Host header. An attacker who names another host chooses the audience
 * the service accepts: a client assertion or a token minted for another service's URL would be taken here.
 */
describe("audiences come from publicUrl and the configured host names, never from a forged Host header", () => {
  const keyless = useKeyless();
  let directory: Awaited<ReturnType<typeof directoryAccess>>;
  let admin: string;
  before(async () => {
    directory = await directoryAccess(keyless);
    admin = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
  });
  after(async () => {
    await directory?.close();
  });

  /** A request to the real server (TLS to localhost) whose Host header names `host`. */
  const send = (method: string, path: string, host: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${keyless.facts.url}${path}`, { method, headers: { ...headers, host }, servername: "localhost" }, (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  /** A token signed by the server's own key for an audience of our choosing (what another deployment could issue). */
  const tokenFor = async (audience: string) => {
    const claims = decodeJwt(admin);
    return (
      await mintAccessToken(directory.keys, systemClock, {
        issuer: `${keyless.facts.url}/${keyless.facts.tenantId}/`,
        tenantId: keyless.facts.tenantId,
        audience,
        scopes: [],
        lifetimeSeconds: 600,
        subject: {
          kind: "user",
          objectId: claims.oid as string,
          userPrincipalName: claims.upn as string,
          displayName: "admin",
          clientAppId: AZURE_CLI_CLIENT_ID,
          authMethods: ["pwd"],
        },
      })
    ).token;
  };

  test("a client assertion whose audience is the forged host's token endpoint is refused", async () => {
    const app = await registerApp(keyless.facts, admin, "assertion-host");
    const { certificatePem, privateKeyPem } = await selfSignedCertificate("assertion-host");
    await addCertificate(keyless.facts, admin, app.applicationId, certificatePem);
    const pemPath = join(keyless.dataDir, "assertion-host.pem");
    writeFileSync(pemPath, certificatePem + privateKeyPem, { mode: 0o600 });
    const path = `/${keyless.facts.tenantId}/oauth2/v2.0/token`;
    const form = (aud: string) =>
      new URLSearchParams({
        grant_type: "client_credentials",
        client_id: app.appId,
        scope: "https://cognitiveservices.azure.com/.default",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: clientAssertion(pemPath, app.appId, aud),
      }).toString();
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    const forged = await send("POST", path, EVIL, form(`https://${EVIL}${path}`), headers);
    assert.equal(forged.status, 401, forged.text);
    assert.match(JSON.parse(forged.text).error_description, /audience/i);
    // The control: the real endpoint's URL as audience, through the real host.
    const genuine = await send("POST", path, new URL(keyless.facts.url).host, form(`${keyless.facts.url}${path}`), headers);
    assert.equal(genuine.status, 200, genuine.text);
  });

  test("Graph and the device-login API refuse a token for the forged host's /graph audience", async () => {
    const token = await tokenFor(`https://${EVIL}/graph/`);
    const graph = await send("GET", "/graph/v1.0/me", EVIL, undefined, { authorization: `Bearer ${token}` });
    assert.equal(graph.status, 401, graph.text);
    const decisions = await send("POST", "/devicelogin/decisions", EVIL, JSON.stringify({ user_code: "ABCDEFGH" }), {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
    });
    assert.equal(decisions.status, 401, decisions.text);
    // The configured host's own audience still works.
    const own = await tokenFor(`${keyless.facts.url}/graph/`);
    assert.equal(
      (await send("GET", "/graph/v1.0/me", new URL(keyless.facts.url).host, undefined, { authorization: `Bearer ${own}` })).status,
      200,
    );
  });

  test("discovery and the device code's verification_uri name the public URL, not the forged host", async () => {
    const discovery = await send("GET", `/${keyless.facts.tenantId}/v2.0/.well-known/openid-configuration`, EVIL);
    assert.ok(!discovery.text.includes(EVIL), discovery.text);
    assert.match(JSON.parse(discovery.text).token_endpoint, new RegExp(`^${keyless.facts.url}/`));
    const device = await send(
      "POST",
      `/${keyless.facts.tenantId}/oauth2/v2.0/devicecode`,
      EVIL,
      new URLSearchParams({
        client_id: AZURE_CLI_CLIENT_ID,
        scope: "https://management.core.windows.net//.default",
      }).toString(),
      { "content-type": "application/x-www-form-urlencoded" },
    );
    assert.equal(JSON.parse(device.text).verification_uri, `${keyless.facts.url}/devicelogin`);
  });
});
