import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ModelClient from "@azure-rest/ai-inference";
import { Agent, fetch as fetchWith } from "undici";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  COGNITIVE_SCOPE,
  call,
  demoAccountId,
  GRAPH_SCOPE,
  registerApp,
} from "../harness/clients.ts";
import { type Cluster, haproxyInstalled, startCluster } from "../harness/cluster.ts";
import { dialects } from "../harness/databases.ts";
import type { ReadyFacts } from "../harness/keyless-process.ts";
import { RoleIds } from "../harness/role-ids.ts";

const skip =
  (!haproxyInstalled && "haproxy not installed (Debian package haproxy)") ||
  (!dialects.includes("postgres") && "KEYLESS_TEST_DIALECTS leaves PostgreSQL out");

/** Polls `probe` until it returns true; fails with the last value after `timeoutMs` (eventual, not timed). */
async function eventually(what: string, probe: () => Promise<boolean | string>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: boolean | string = false;
  while (Date.now() < until) {
    last = await probe();
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: not so after ${timeoutMs} ms (last: ${last})`);
}

/**
 * Three Keyless nodes as processes on one PostgreSQL schema and one Redis, behind HAProxy (TCP, TLS passed
 * through), each node's PostgreSQL link through its own fault proxy: what docs/operations.md describes.
 */
describe("a cluster of three nodes behind HAProxy", { skip }, () => {
  let cluster: Cluster;
  let app: { appId: string; secret: string; objectId: string };
  let armToken: string;
  let graphToken: string;
  /** The load balancer, then each node directly. */
  let targets: { name: string; facts: ReadyFacts }[];

  before(async () => {
    // A short grace, so the fail-closed test below waits seconds, not the default 30.
    cluster = await startCluster({ env: { KEYLESS_POLICY_MAX_STALENESS_SECONDS: "3" } });
    const admin = adminCredential(cluster.facts);
    armToken = (await admin.getToken(ARM_SCOPE))!.token;
    graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
    app = await registerApp(cluster.facts, graphToken, "cluster-app");
    targets = [{ name: "the load balancer", facts: cluster.facts }, ...cluster.nodes.map((n) => ({ name: n.name, facts: n.facts }))];
  });
  after(() => cluster?.stop());

  /** The app's chat call on the demo deployment at `facts` (through the balancer or one node), with a token from there. */
  const chatStatus = async (facts: ReadyFacts, tokenFrom: ReadyFacts = facts) => {
    const client = ModelClient(facts.demo!.endpoint, appCredential(tokenFrom, app.appId, app.secret), {
      credentials: { scopes: [COGNITIVE_SCOPE] },
    });
    try {
      const response = await client
        .path("/chat/completions")
        .post({ body: { model: facts.demo!.deployment, messages: [{ role: "user", content: "which node?" }] } });
      return response.status;
    } catch (err) {
      return `no token from ${tokenFrom.url}: ${(err as Error).message}`; // a token service that cannot answer
    }
  };
  const everywhere = (what: string, status: string) =>
    Promise.all(targets.map((t) => eventually(`${what} on ${t.name}`, async () => (await chatStatus(t.facts)) === status || "no")));

  test("every node serves the same tenant, keys and certificate; HAProxy sees all three up", async () => {
    for (const node of cluster.nodes) {
      assert.equal(node.facts.tenantId, cluster.facts.tenantId);
      assert.equal(node.facts.subscriptionId, cluster.facts.subscriptionId);
    }
    const jwks = await Promise.all(
      targets.map(async (t) => (await call("GET", `${t.facts.url}/${t.facts.tenantId}/discovery/v2.0/keys`, undefined)).body),
    );
    for (const keys of jwks) assert.deepEqual(keys, jwks[0]);
    await cluster.lb.waitFor({ node1: "up", node2: "up", node3: "up" });
  });

  test("a role assignment made through one node allows on every node, and its removal through another denies everywhere", async () => {
    const [, node2, node3] = cluster.nodes;
    const scope = demoAccountId(cluster.facts);
    const id = crypto.randomUUID();
    const path = `${scope}/providers/Microsoft.Authorization/roleAssignments/${id}?api-version=2022-04-01`;
    const put = await call("PUT", `${node2!.facts.url}${path}`, armToken, {
      properties: {
        roleDefinitionId: `/subscriptions/${cluster.facts.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${RoleIds.cognitiveServicesUser}`,
        principalId: app.objectId,
        principalType: "ServicePrincipal",
      },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    await everywhere("allowed after the assignment on node2", "200");
    assert.equal((await call("DELETE", `${node3!.facts.url}${path}`, armToken)).status, 200);
    await everywhere("denied after the removal on node3", "401");
  });

  test("a group membership added through one node allows on every node, and removed through another denies everywhere", async () => {
    const [node1, node2, node3] = cluster.nodes;
    const graphOf = (facts: ReadyFacts) => `${facts.url}/graph/v1.0`;
    const group = await call("POST", `${graphOf(node1!.facts)}/groups`, graphToken, {
      displayName: "cluster-model-users",
      mailNickname: "cluster-model-users",
      mailEnabled: false,
      securityEnabled: true,
    });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    const put = await call(
      "PUT",
      `${node1!.facts.url}${demoAccountId(cluster.facts)}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
      armToken,
      {
        properties: {
          roleDefinitionId: `/subscriptions/${cluster.facts.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${RoleIds.cognitiveServicesUser}`,
          principalId: group.body.id,
          principalType: "Group",
        },
      },
    );
    assert.equal(put.status, 201, JSON.stringify(put.body));
    await everywhere("denied before the membership", "401");
    const member = { "@odata.id": `${graphOf(node2!.facts)}/directoryObjects/${app.objectId}` };
    assert.equal((await call("POST", `${graphOf(node2!.facts)}/groups/${group.body.id}/members/$ref`, graphToken, member)).status, 204);
    await everywhere("allowed after the membership added on node2", "200");
    assert.equal(
      (await call("DELETE", `${graphOf(node3!.facts)}/groups/${group.body.id}/members/${app.objectId}/$ref`, graphToken)).status,
      204,
    );
    await everywhere("denied after the membership removed on node3", "401");
  });

  test("a deployment's rate limit holds over the three nodes together (one budget in Redis)", async () => {
    const account = `${cluster.facts.url}${demoAccountId(cluster.facts)}`;
    const grant = await call(
      "PUT",
      `${account}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
      armToken,
      {
        properties: {
          roleDefinitionId: `/subscriptions/${cluster.facts.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${RoleIds.cognitiveServicesUser}`,
          principalId: app.objectId,
          principalType: "ServicePrincipal",
        },
      },
    );
    assert.equal(grant.status, 201, JSON.stringify(grant.body));
    const deploy = await call("PUT", `${account}/deployments/shared-tiny?api-version=2023-05-01`, armToken, {
      sku: { name: "Standard", capacity: 1 }, // 6 requests a minute
      properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" } },
    });
    assert.equal(deploy.status, 201, JSON.stringify(deploy.body));
    const chat = async (facts: ReadyFacts) => {
      const token = (await appCredential(facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token;
      const response = await fetch(
        `${facts.url}/accounts/${facts.demo!.account}/openai/deployments/shared-tiny/chat/completions?api-version=2024-10-21`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
        },
      );
      await response.text();
      return response.status;
    };
    await everywhere("the app allowed", "200"); // the grant has reached every node (the demo deployment answers)
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push(await chat(cluster.nodes[i % 3]!.facts));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429, 429]);
    assert.equal(await chat(cluster.facts), 429, "through the load balancer too");
  });

  test("kill -9 of a node during a burst of ARM writes through the balancer loses no acknowledged write", async (t) => {
    const account = `${cluster.facts.url}${demoAccountId(cluster.facts)}`;
    const victim = cluster.nodes[1]!;
    const total = 60;
    const acknowledged: string[] = [];
    const failed: string[] = [];
    let next = 0;
    let killed: Promise<void> | undefined;
    const worker = async () => {
      while (next < total) {
        const name = `burst-${next++}`;
        if (acknowledged.length >= 15 && !killed) killed = victim.kill();
        try {
          const put = await call("PUT", `${account}/deployments/${name}?api-version=2023-05-01`, armToken, {
            sku: { name: "Standard", capacity: 1 },
            properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" } },
          });
          if (put.status >= 200 && put.status < 300) acknowledged.push(name);
          else failed.push(`${name}: ${put.status}`);
        } catch (err) {
          failed.push(`${name}: ${(err as Error).message}`); // the connection died with the node: not acknowledged
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    assert.ok(killed, "the node was killed during the burst");
    await killed;
    assert.ok(acknowledged.length >= total - 12, `acknowledged ${acknowledged.length} of ${total}; failed: ${failed.join("; ")}`);
    t.diagnostic(`${acknowledged.length} of ${total} writes acknowledged; not acknowledged: ${failed.join("; ") || "none"}`);
    await cluster.lb.waitFor({ node2: "down" });

    const listed = async (facts: ReadyFacts) => {
      const list = await call("GET", `${facts.url}${demoAccountId(facts)}/deployments?api-version=2023-05-01`, armToken);
      assert.equal(list.status, 200, JSON.stringify(list.body));
      return new Set((list.body.value as { name: string }[]).map((d) => d.name));
    };
    for (const facts of [cluster.facts, cluster.nodes[0]!.facts, cluster.nodes[2]!.facts]) {
      const names = await listed(facts);
      assert.deepEqual(
        acknowledged.filter((n) => !names.has(n)),
        [],
        "every acknowledged deployment is there",
      );
    }
    // The killed node comes back on the same store, sees the same, and HAProxy puts it back in rotation.
    await victim.start();
    const names = await listed(victim.facts);
    assert.deepEqual(
      acknowledged.filter((n) => !names.has(n)),
      [],
    );
    await cluster.lb.waitFor({ node2: "up" });
  });

  test("a node cut from PostgreSQL fails closed after the grace, leaves the rotation, and comes back when the link does", async () => {
    const node = cluster.nodes[0]!;
    await everywhere("allowed before the cut", "200");
    // Tokens come from node2: the cut node cannot issue any (its token service needs the store), and the balancer
    // may still send a request there until its health checks fail.
    const onNode1 = () => chatStatus(node.facts, cluster.nodes[1]!.facts);
    node.database.cut();
    try {
      await eventually("node1 fails closed", async () => (await onNode1()) === "503" || "still deciding", 20_000);
      const readyz = await call("GET", `${node.facts.url}/readyz`, undefined);
      assert.equal(readyz.status, 503, JSON.stringify(readyz.body));
      await cluster.lb.waitFor({ node1: "down", node2: "up", node3: "up" });
      // New connections through the balancer reach the other nodes (a keep-alive connection opened to node1 before
      // stays there until node1 closes it: its 503s say `Connection: close`).
      const token = (await appCredential(cluster.nodes[1]!.facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token;
      for (let i = 0; i < 6; i++) {
        const dispatcher = new Agent();
        const response = await fetchWith(
          `${cluster.facts.url}/accounts/${cluster.facts.demo!.account}/models/chat/completions?api-version=2024-05-01-preview`,
          {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ model: cluster.facts.demo!.deployment, messages: [{ role: "user", content: "x" }] }),
            dispatcher,
          },
        );
        await response.text();
        await dispatcher.close();
        assert.equal(response.status, 200, "the balancer serves from the other nodes");
      }
    } finally {
      node.database.restore();
    }
    await eventually("node1 serves again", async () => (await onNode1()) === "200" || "still closed", 20_000);
    await cluster.lb.waitFor({ node1: "up" });
  });

  test("a node shutting down (SIGTERM) leaves the rotation; the balancer keeps serving", async () => {
    const node = cluster.nodes[2]!;
    await node.stop();
    await cluster.lb.waitFor({ node3: "down" });
    assert.equal(await chatStatus(cluster.facts), "200", "the balancer answers from the other nodes");
    await node.start();
    await cluster.lb.waitFor({ node3: "up" });
  });
});
