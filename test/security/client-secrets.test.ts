import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Agent as HttpsAgent, request } from "node:https";
import { hashSecret } from "../../src/directory/secret-hash.ts";
import { adminCredential, COGNITIVE_SCOPE, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { directoryAccess } from "../harness/directory-access.ts";
import { useKeyless } from "../harness/keyless.ts";

/**
 * Threats: a flood of wrong client secrets that starves legitimate token requests (each wrong secret cost an scrypt
 * per stored secret), and secret guessing from one or many sources.
 */
describe("client secrets: keyed hashes, earlier scrypt hashes migrated, failed authentications throttled", () => {
  const keyless = useKeyless();
  let directory: Awaited<ReturnType<typeof directoryAccess>>;
  let admin: string;
  const agents: HttpsAgent[] = [];
  before(async () => {
    directory = await directoryAccess(keyless);
    admin = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
  });
  after(async () => {
    for (const agent of agents) agent.destroy();
    await directory?.close();
  });

  /** A client-credentials request from a chosen loopback address (every 127.x address reaches the server). */
  const from = (address: string) => {
    const agent = new HttpsAgent({ keepAlive: true, localAddress: address, family: 4 });
    agents.push(agent);
    const url = new URL(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`);
    return (appId: string, secret: string) =>
      new Promise<{ status: number; body: { error_codes?: number[]; access_token?: string } }>((resolve, reject) => {
        const body = new URLSearchParams({
          grant_type: "client_credentials",
          client_id: appId,
          client_secret: secret,
          scope: COGNITIVE_SCOPE,
        });
        const req = request(url, { method: "POST", agent, headers: { "content-type": "application/x-www-form-urlencoded" } }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on("error", reject);
        req.end(body.toString());
      });
  };

  test("a new secret is stored as an HMAC-SHA-256 digest, not scrypt", async () => {
    const app = await registerApp(keyless.facts, admin, "hashed");
    const [stored] = await directory.store.directory.listPasswordCredentials(app.applicationId);
    assert.match(stored!.secretHash, /^hmac-sha256\$[\w-]{43}$/);
    assert.equal((await from("127.0.0.1")(app.appId, app.secret)).status, 200);
  });

  test("a secret stored with scrypt by an earlier version still works, and is rehashed on first use", async () => {
    const app = await registerApp(keyless.facts, admin, "legacy");
    const legacySecret = "Leg8Q~an-earlier-secret-with-plenty-of-entropy-0123456789";
    await directory.store.directory.insertPasswordCredential({
      keyId: crypto.randomUUID(),
      applicationId: app.applicationId,
      displayName: "before keyed hashing",
      secretHash: await hashSecret(legacySecret),
      hint: "Leg",
      startAt: new Date().toISOString(),
      endAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const call = from("127.0.0.1");
    assert.equal((await call(app.appId, legacySecret)).status, 200);
    const hashes = (await directory.store.directory.listPasswordCredentials(app.applicationId)).map((c) => c.secretHash);
    assert.ok(
      hashes.every((h) => h.startsWith("hmac-sha256$")),
      "the scrypt hash was replaced",
    );
    assert.equal((await call(app.appId, legacySecret)).status, 200);
    assert.equal((await call(app.appId, app.secret)).status, 200);
  });

  test("a source over its failure budget (60 a minute) is refused unchecked, even with the right secret; others are served", async () => {
    const app = await registerApp(keyless.facts, admin, "guessed-from-one-source");
    const attacker = from("127.0.0.2");
    for (let i = 0; i < 60; i++) assert.deepEqual((await attacker(app.appId, `wrong-${i}`)).body.error_codes, [7000215]);
    const refused = await attacker(app.appId, app.secret);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body.error_codes, [90055]);
    assert.equal((await from("127.0.0.1")(app.appId, app.secret)).status, 200);
  });

  test("a client over its failure budget (300 a minute, from many sources) keeps serving its familiar sources only", async () => {
    const app = await registerApp(keyless.facts, admin, "guessed-from-many-sources");
    const legitimate = from("127.0.0.1");
    assert.equal((await legitimate(app.appId, app.secret)).status, 200);
    for (let s = 10; s < 16; s++) {
      const attacker = from(`127.0.0.${s}`);
      await Promise.all(Array.from({ length: 55 }, (_, i) => attacker(app.appId, `wrong-${s}-${i}`)));
    }
    const stranger = await from("127.0.0.30")(app.appId, app.secret);
    assert.equal(stranger.status, 429, "an unfamiliar source is refused while the client is under attack");
    const served = await legitimate(app.appId, app.secret);
    assert.equal(served.status, 200, "the source that authenticated the client before is still served");
  });
});
