import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BuiltInRoleIds } from "../../src/authz/builtin-roles.ts";
import { ARM_SCOPE, COGNITIVE_SCOPE, GRAPH_SCOPE, adminCredential, appCredential, call, registerApp } from "../harness/clients.ts";
import { POSTGRES_URL, dialects, testSchema } from "../harness/databases.ts";
import { type FaultProxy, POSTGRES_COMMIT, startFaultProxy } from "../harness/fault-proxy.ts";
import { NOTIFIED_ONLY, sharedSchemaEnv, startNodeBeside, startServer, type TestServer } from "../harness/keyless.ts";
import { until } from "../harness/until.ts";

type App = Awaited<ReturnType<typeof registerApp>>;

/**
 * Three nodes on one PostgreSQL schema. A writes. B polls only every ten minutes, so a change it takes within a
 * second came by NOTIFY. C reaches PostgreSQL through a fault proxy and may go 3 s without confirming its policy.
 */
describe("policy propagation between nodes, and failing closed without the store", {
  skip: !dialects.includes("postgres") && "PostgreSQL runs are off (KEYLESS_TEST_DIALECTS)",
}, () => {
  const schema = testSchema("propagation");
  let a: TestServer;
  let b: TestServer;
  let c: TestServer;
  let proxy: FaultProxy;
  let app: App;
  let armToken: string;
  let appToken: string;
  let accountId: string;

  before(async () => {
    a = await startServer({ env: sharedSchemaEnv(schema) });
    const pg = new URL(POSTGRES_URL);
    proxy = await startFaultProxy({ target: { host: pg.hostname, port: Number(pg.port || 5432) } });
    const throughProxy = new URL(POSTGRES_URL);
    throughProxy.host = `127.0.0.1:${proxy.port}`;
    // The second and third nodes share the database and, through the data dir, the master key and TLS material.
    b = await startNodeBeside(a, sharedSchemaEnv(schema, NOTIFIED_ONLY));
    c = await startNodeBeside(
      a,
      sharedSchemaEnv(schema, { KEYLESS_STORAGE: throughProxy.toString(), KEYLESS_POLICY_MAX_STALENESS_SECONDS: "3" }),
    );
    const admin = adminCredential(a.facts);
    armToken = (await admin.getToken(ARM_SCOPE))!.token;
    app = await registerApp(a.facts, (await admin.getToken(GRAPH_SCOPE))!.token, "propagation-app");
    appToken = (await appCredential(a.facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token;
    accountId = `/subscriptions/${a.facts.subscriptionId}/resourceGroups/${a.facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${a.facts.demo!.account}`;
  });
  after(async () => {
    await c?.stop();
    await b?.stop();
    await a?.stop();
    await proxy?.close();
    a?.cleanup();
  });

  const chat = (node: TestServer) =>
    call("POST", `${node.facts.url}/accounts/${node.facts.demo!.account}/openai/v1/chat/completions`, appToken, {
      model: "echo",
      messages: [{ role: "user", content: "hello" }],
    });
  const assignmentUrl = (id: string) =>
    `${a.facts.url}${accountId}/providers/Microsoft.Authorization/roleAssignments/${id}?api-version=2022-04-01`;
  const grant = async (id: string) => {
    const put = await call("PUT", assignmentUrl(id), armToken, {
      properties: {
        roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER,
        principalId: app.objectId,
        principalType: "ServicePrincipal",
      },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
  };

  test("a grant and a revoke on one node take effect on another within a second, by notification (its poll is 10 min)", async () => {
    assert.equal((await chat(b)).status, 401, "no access yet");
    // The first cycle warms node B's allowed path (its first completion initialises what a completion needs).
    const warm = crypto.randomUUID();
    await grant(warm);
    await until("node B allows after the first grant", 10_000, async () => (await chat(b)).status === 200);
    assert.equal((await call("DELETE", assignmentUrl(warm), armToken)).status, 200);
    await until("node B denies after the first revoke", 10_000, async () => (await chat(b)).status === 401);

    const id = crypto.randomUUID();
    await grant(id);
    const granted = await until("node B allows after the grant", 5000, async () => (await chat(b)).status === 200);
    const del = await call("DELETE", assignmentUrl(id), armToken);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    const revoked = await until("node B denies after the revoke", 5000, async () => (await chat(b)).status === 401);
    assert.ok(granted < 1000 && revoked < 1000, `grant took ${Math.round(granted)} ms, revoke ${Math.round(revoked)} ms on node B`);
  });

  test("a revoke whose COMMIT is held back while another node writes still reaches every node", async () => {
    // The issue this guards: numbers are handed out at insert, so a revoke that commits after a higher-numbered
    // change was applied was never applied anywhere. Node C's COMMIT is held in the fault proxy while A writes.
    const id = crypto.randomUUID();
    await grant(id);
    await until("node B allows after the grant", 5000, async () => (await chat(b)).status === 200);

    proxy.holdWhere(POSTGRES_COMMIT, 1500);
    try {
      const revoke = call("DELETE", assignmentUrl(id).replace(a.facts.url, c.facts.url), armToken);
      await until("node C's COMMIT is held", 5000, async () => proxy.held > 0);
      // Reader (no data actions) at two scopes: writes that would take higher numbers if numbers were not ordered.
      const resourceGroup = accountId.slice(0, accountId.indexOf("/providers/"));
      const others = [accountId, resourceGroup].map((scope) =>
        call(
          "PUT",
          `${a.facts.url}${scope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
          armToken,
          {
            properties: { roleDefinitionId: BuiltInRoleIds.READER, principalId: app.objectId, principalType: "ServicePrincipal" },
          },
        ),
      );
      const [deleted, ...puts] = await Promise.all([revoke, ...others]);
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
      for (const put of puts) assert.equal(put.status, 201, JSON.stringify(put.body));
    } finally {
      proxy.holdWhere(undefined);
    }
    await until("node B denies after the held revoke", 3000, async () => (await chat(b)).status === 401);
    await until("node A denies after the held revoke", 3000, async () => (await chat(a)).status === 401);
  });

  test("a node cut from PostgreSQL fails closed after its grace (503, Retry-After, not ready) and recovers by itself", async () => {
    await grant(crypto.randomUUID());
    await until("node C allows", 5000, async () => (await chat(c)).status === 200);
    const readyz = () => call("GET", `${c.facts.url}/readyz`, undefined);
    assert.equal((await readyz()).status, 200);

    proxy.cut();
    const cutAt = performance.now();
    await until("node C reports not ready", 10_000, async () => (await readyz()).status === 503);
    // Past the grace every decision is refused, whatever the caches still hold.
    await until("node C fails closed", 10_000, async () => (await chat(c)).status === 503);
    const closedAfter = performance.now() - cutAt;
    assert.ok(closedAfter >= 2900 && closedAfter < 9000, `failed closed ${Math.round(closedAfter)} ms after the cut`);
    const refused = await fetch(`${c.facts.url}/accounts/${c.facts.demo!.account}/openai/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${appToken}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "hello" }] }),
    });
    assert.equal(refused.status, 503);
    assert.ok(Number(refused.headers.get("retry-after")) > 0, "Retry-After is set");
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "PolicyUnavailable");
    assert.match(body.error.message, /policyMaxStalenessSeconds/);
    const ready = await readyz();
    assert.equal(ready.status, 503);
    assert.match(String(ready.body.reason), /policy|storage/);
    const arm = await call("GET", `${c.facts.url}${accountId}?api-version=2024-10-01`, armToken);
    assert.equal(arm.status, 503);
    assert.equal(arm.body.error.code, "PolicyUnavailable");

    proxy.restore();
    const recovered = await until("node C serves again", 10_000, async () => (await chat(c)).status === 200);
    assert.ok(recovered < 3000, `recovered ${Math.round(recovered)} ms after the store came back`);
    assert.equal((await readyz()).status, 200);
  });
});
