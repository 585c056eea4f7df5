import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  assignRole,
  COGNITIVE_SCOPE,
  call,
  GRAPH_SCOPE,
  registerApp,
} from "../harness/clients.ts";
import { dialects, POSTGRES_URL, testSchema } from "../harness/databases.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

/** The ARM control plane over REST: resource groups, providers, accounts, keys, deployments, boundaries, activity log. */
for (const dialect of dialects)
  describe(`ARM resource groups, Cognitive Services accounts and deployments (${dialect})`, () => {
    const schema = testSchema("arm");
    const keyless = useKeyless(dialect === "postgres" ? { env: { KEYLESS_STORAGE: POSTGRES_URL, KEYLESS_STORAGE_SCHEMA: schema } } : {});
    let admin: string;
    let sub: string;
    let base: string;
    const V = "api-version=2022-12-01";
    const RV = "api-version=2021-04-01";
    const startedAt = new Date(Date.now() - 1000).toISOString();
    let contributorToken: string;

    before(async () => {
      admin = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
      sub = `/subscriptions/${keyless.facts.subscriptionId}`;
      base = keyless.facts.url;
    });

    const rg = (name: string) => `${base}${sub}/resourcegroups/${name}`;
    const account = (group: string, name: string) =>
      `${base}${sub}/resourceGroups/${group}/providers/Microsoft.CognitiveServices/accounts/${name}`;
    const assign = async (scope: string, role: string, principalId: string) => {
      await assignRole(keyless.facts, admin, { scope, role, principalId, principalType: "ServicePrincipal" });
    };

    test("resource group: create, update tags, get, list; location required; invalid names refused", async () => {
      const created = await call("PUT", `${rg("rg-one")}?${RV}`, admin, { location: "West Europe", tags: { team: "a" } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.id, `${sub}/resourceGroups/rg-one`);
      assert.equal(created.body.location, "westeurope");
      assert.equal(created.body.properties.provisioningState, "Succeeded");
      const again = await call("PUT", `${rg("RG-ONE")}?${RV}`, admin, { location: "westeurope", tags: { team: "b" } });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body.tags, { team: "b" });
      const moved = await call("PUT", `${rg("rg-one")}?${RV}`, admin, { location: "eastus" });
      assert.equal(moved.status, 409);
      assert.equal(moved.body.error.code, "InvalidResourceGroupLocation");
      const patched = await call("PATCH", `${rg("rg-one")}?${RV}`, admin, { tags: { env: "test" } });
      assert.deepEqual(patched.body.tags, { env: "test" });
      assert.equal((await call("GET", `${rg("rg-one")}?${RV}`, admin)).body.name, "rg-one");
      const list = await call("GET", `${base}${sub}/resourcegroups?${RV}`, admin);
      assert.deepEqual(list.body.value.map((g: { name: string }) => g.name).sort(), ["keyless-demo", "rg-one"]);
      const first = await call("GET", `${base}${sub}/resourcegroups?${RV}&$top=1`, admin);
      assert.equal(first.body.value.length, 1);
      const second = await call("GET", first.body.nextLink, admin);
      assert.equal(second.body.value.length, 1);
      assert.equal(second.body.nextLink, undefined);
      assert.notEqual(second.body.value[0].name, first.body.value[0].name);
      const noLocation = await call("PUT", `${rg("rg-two")}?${RV}`, admin, {});
      assert.equal(noLocation.body.error.code, "LocationRequired");
      const badName = await call("PUT", `${rg("bad.")}?${RV}`, admin, { location: "local" });
      assert.equal(badName.status, 400);
      assert.equal(badName.body.error.code, "InvalidResourceGroup");
      assert.equal((await call("GET", `${rg("rg-two")}?${RV}`, admin)).body.error.code, "ResourceGroupNotFound");
      assert.equal((await call("GET", `${rg("bad.")}?${RV}`, admin)).status, 404);
      const head = (name: string) => fetch(`${rg(name)}?${RV}`, { method: "HEAD", headers: { authorization: `Bearer ${admin}` } });
      assert.equal((await head("rg-one")).status, 204);
      assert.equal((await head("rg-two")).status, 404);
    });

    test("subscriptions: a Global Administrator creates one with PUT; others are refused", async () => {
      const id = crypto.randomUUID();
      const created = await call("PUT", `${base}/subscriptions/${id}?${RV}`, admin, { displayName: "Team B" });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.subscriptionId, id);
      assert.equal(created.body.state, "Enabled");
      const renamed = await call("PUT", `${base}/subscriptions/${id}?${RV}`, admin, { displayName: "Team B2" });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.displayName, "Team B2");
      // The creator is Owner there: a resource group can be made in it at once.
      assert.equal((await call("PUT", `${base}/subscriptions/${id}/resourcegroups/b?${RV}`, admin, { location: "local" })).status, 201);
      assert.equal(
        (await call("PUT", `${base}/subscriptions/not-a-guid?${RV}`, admin, { displayName: "x" })).body.error.code,
        "InvalidSubscriptionId",
      );
      const graph = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
      const app = await registerApp(keyless.facts, graph, "arm-not-admin");
      const token = (await appCredential(keyless.facts, app.appId, app.secret).getToken(ARM_SCOPE))!.token;
      const refused = await call("PUT", `${base}/subscriptions/${crypto.randomUUID()}?${RV}`, token, { displayName: "Mine" });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, "AuthorizationFailed");
      assert.match(refused.body.error.message, /Microsoft\.Resources\/subscriptions\/write/);
    });

    test("providers list resource types with api-versions newest first", async () => {
      const p = await call("GET", `${base}${sub}/providers/Microsoft.CognitiveServices?${RV}`, admin);
      assert.equal(p.body.namespace, "Microsoft.CognitiveServices");
      const accounts = p.body.resourceTypes.find((t: { resourceType: string }) => t.resourceType === "accounts");
      const sorted = [...accounts.apiVersions].sort().reverse();
      assert.deepEqual(accounts.apiVersions, sorted);
      const all = await call("GET", `${base}${sub}/providers?${RV}`, admin);
      for (const ns of [
        "Microsoft.CognitiveServices",
        "Microsoft.Resources",
        "Microsoft.Authorization",
        "Microsoft.ManagedIdentity",
        "Microsoft.Insights",
      ]) {
        assert.ok(
          all.body.value.some((x: { namespace: string }) => x.namespace === ns),
          ns,
        );
      }
      assert.equal((await call("GET", `${base}${sub}/providers/Microsoft.Nope?${RV}`, admin)).body.error.code, "InvalidResourceNamespace");
    });

    test("account: create with two keys, endpoints on this origin, regenerate, conflicts and bad input change nothing", async () => {
      const put = await call("PUT", `${account("rg-one", "acct-one")}?${V}`, admin, {
        kind: "AIServices",
        sku: { name: "S0" },
        location: "westeurope",
        properties: {},
        tags: { a: "1" },
      });
      assert.equal(put.status, 201, JSON.stringify(put.body));
      assert.equal(put.body.properties.endpoint, `${base}/accounts/acct-one/`);
      assert.equal(put.body.properties.endpoints["AI Model Inference API"], `${base}/accounts/acct-one/models`);
      assert.equal(put.body.properties.provisioningState, "Succeeded");
      assert.equal(put.body.properties.customSubDomainName, "acct-one");
      const keys = await call("POST", `${account("rg-one", "acct-one")}/listKeys?${V}`, admin);
      assert.match(keys.body.key1, /^[0-9a-f]{64}$/);
      assert.notEqual(keys.body.key1, keys.body.key2);
      const regenerated = await call("POST", `${account("rg-one", "acct-one")}/regenerateKey?${V}`, admin, { keyName: "Key2" });
      assert.equal(regenerated.body.key1, keys.body.key1);
      assert.notEqual(regenerated.body.key2, keys.body.key2);
      assert.equal(
        (await call("POST", `${account("rg-one", "acct-one")}/regenerateKey?${V}`, admin, { keyName: "Key3" })).body.error.code,
        "InvalidKeyName",
      );

      const elsewhere = await call("PUT", `${account("keyless-demo", "acct-one")}?${V}`, admin, {
        kind: "AIServices",
        sku: { name: "S0" },
        location: "local",
      });
      assert.equal(elsewhere.status, 409);
      assert.equal(elsewhere.body.error.code, "CustomDomainInUse");
      const subdomainTaken = await call("PUT", `${account("rg-one", "acct-three")}?${V}`, admin, {
        kind: "AIServices",
        sku: { name: "S0" },
        location: "local",
        properties: { customSubDomainName: "keyless-demo" },
      });
      assert.equal(subdomainTaken.status, 409);
      assert.equal(subdomainTaken.body.error.code, "CustomDomainInUse");
      for (const [name, body, code] of [
        ["a", { kind: "AIServices", sku: { name: "S0" }, location: "local" }, "InvalidResourceName"],
        ["-bad-", { kind: "AIServices", sku: { name: "S0" }, location: "local" }, "InvalidResourceName"],
        ["acct-two", { kind: "Face", sku: { name: "S0" }, location: "local" }, "InvalidApiSetId"],
        ["acct-two", { kind: "OpenAI", sku: { name: "F9" }, location: "local" }, "InvalidSkuId"],
        ["acct-two", { kind: "OpenAI", sku: { name: "S0" } }, "LocationRequired"],
      ] as const) {
        const r = await call("PUT", `${account("rg-one", name)}?${V}`, admin, body);
        assert.equal(r.body.error.code, code, `${name}: ${JSON.stringify(r.body)}`);
        assert.equal((await call("GET", `${account("rg-one", name)}?${V}`, admin)).status, 404);
      }
      assert.equal(
        (await call("PUT", `${account("no-such-rg", "acct-two")}?${V}`, admin, { kind: "OpenAI", sku: { name: "S0" }, location: "local" }))
          .body.error.code,
        "ResourceGroupNotFound",
      );
      const badVersion = await call("GET", `${account("rg-one", "acct-one")}?api-version=1999-01-01`, admin);
      assert.equal(badVersion.body.error.code, "InvalidApiVersionParameter");

      const patched = await call("PATCH", `${account("rg-one", "acct-one")}?${V}`, admin, { properties: { disableLocalAuth: true } });
      assert.equal(patched.body.properties.disableLocalAuth, true);
      const byRg = await call("GET", `${base}${sub}/resourceGroups/rg-one/providers/Microsoft.CognitiveServices/accounts?${V}`, admin);
      assert.deepEqual(
        byRg.body.value.map((a: { name: string }) => a.name),
        ["acct-one"],
      );
      const bySub = await call("GET", `${base}${sub}/providers/Microsoft.CognitiveServices/accounts?${V}`, admin);
      assert.deepEqual(bySub.body.value.map((a: { name: string }) => a.name).sort(), ["acct-one", "keyless-demo"]);
    });

    test("the demo account has keys from bootstrap", async () => {
      const keys = await call("POST", `${account("keyless-demo", "keyless-demo")}/listKeys?${V}`, admin);
      assert.equal(keys.status, 200);
      assert.match(keys.body.key1, /^[0-9a-f]{64}$/);
    });

    test("deployments: catalog models only, both sku forms, rate limits from capacity; models listed", async () => {
      const models = await call("GET", `${account("rg-one", "acct-one")}/models?${V}`, admin);
      assert.ok(models.body.value.some((m: { name: string }) => m.name === "keyless-echo"));
      const loc = await call("GET", `${base}${sub}/providers/Microsoft.CognitiveServices/locations/local/models?${V}`, admin);
      assert.equal(loc.body.value[0].model.name, "keyless-echo");
      const legacy = await call("PUT", `${account("rg-one", "acct-one")}/deployments/echo-a?${V}`, admin, {
        properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" }, scaleSettings: { scaleType: "Standard" } },
      });
      assert.equal(legacy.status, 201, JSON.stringify(legacy.body));
      assert.equal(legacy.body.properties.scaleSettings.scaleType, "Standard");
      const modern = await call("PUT", `${account("rg-one", "acct-one")}/deployments/echo-b?api-version=2024-10-01`, admin, {
        sku: { name: "GlobalStandard", capacity: 5 },
        properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" } },
      });
      assert.equal(modern.status, 201);
      assert.deepEqual(modern.body.sku, { name: "GlobalStandard", capacity: 5 });
      assert.deepEqual(
        modern.body.properties.rateLimits.map((r: { count: number }) => r.count),
        [5, 5000],
      );
      const unknown = await call("PUT", `${account("rg-one", "acct-one")}/deployments/gpt?${V}`, admin, {
        properties: { model: { format: "OpenAI", name: "gpt-4o", version: "2024-08-06" }, scaleSettings: { scaleType: "Standard" } },
      });
      assert.equal(unknown.body.error.code, "DeploymentModelNotSupported");
      assert.equal((await call("GET", `${account("rg-one", "acct-one")}/deployments/gpt?${V}`, admin)).status, 404);
      const list = await call("GET", `${account("rg-one", "acct-one")}/deployments?${V}`, admin);
      assert.deepEqual(
        list.body.value.map((d: { name: string }) => d.name),
        ["echo-a", "echo-b"],
      );
      assert.equal((await call("DELETE", `${account("rg-one", "acct-one")}/deployments/echo-b?${V}`, admin)).status, 200);
      assert.equal((await call("DELETE", `${account("rg-one", "acct-one")}/deployments/echo-b?${V}`, admin)).status, 204);
    });

    test("generic resources: list and by-id in the CLI's form (lower-case resourcegroups, `//` before the type)", async () => {
      const list = await call("GET", `${base}${sub}/resources?${RV}`, admin);
      assert.deepEqual(list.body.value.map((r: { name: string }) => r.name).sort(), ["acct-one", "keyless-demo"]);
      const inRg = await call("GET", `${base}${sub}/resourceGroups/rg-one/resources?${RV}`, admin);
      assert.deepEqual(
        inRg.body.value.map((r: { name: string }) => r.name),
        ["acct-one"],
      );
      const show = await call(
        "GET",
        `${base}${sub}/resourcegroups/rg-one/providers/Microsoft.CognitiveServices//accounts/acct-one?api-version=2025-06-01`,
        admin,
      );
      assert.equal(show.body.id, `${sub}/resourceGroups/rg-one/providers/Microsoft.CognitiveServices/accounts/acct-one`);
      const malformed = await call("GET", `${base}${sub}/resourcegroups/rg-one/providers/Microsoft.CognitiveServices?${RV}`, admin);
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error.code, "InvalidResourceId");
      const garbled = await call("GET", `${base}${sub}/resourcegroups/%E0%A4%A/x?${RV}`, admin);
      assert.equal(garbled.status, 400);
      const bad = await call("GET", `${base}${sub}/resourcegroups/rg-one/providers/Microsoft.Nope/things/x?${RV}`, admin);
      assert.equal(bad.body.error.code, "InvalidResourceNamespace");
    });

    test("access boundaries: Reader cannot create a deployment; Cognitive Services Contributor can", async () => {
      const graph = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
      const reader = await registerApp(keyless.facts, graph, "arm-reader");
      const contributor = await registerApp(keyless.facts, graph, "arm-contributor");
      await assign(`${sub}/resourceGroups/rg-one`, RoleIds.reader, reader.objectId);
      await assign(`${sub}/resourceGroups/rg-one`, RoleIds.cognitiveServicesContributor, contributor.objectId);
      const tokenOf = async (a: { appId: string; secret: string }) =>
        (await appCredential(keyless.facts, a.appId, a.secret).getToken(ARM_SCOPE))!.token;
      const body = {
        properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" }, scaleSettings: { scaleType: "Standard" } },
      };
      const url = `${account("rg-one", "acct-one")}/deployments/by-role?${V}`;
      // A Reader of rg-one sees what is in rg-one, and nothing else of the subscription.
      const visible = await call("GET", `${base}${sub}/resources?${RV}`, await tokenOf(reader));
      assert.deepEqual(
        visible.body.value.map((r: { name: string }) => r.name),
        ["acct-one"],
      );
      const groups = await call("GET", `${base}${sub}/resourcegroups?${RV}`, await tokenOf(reader));
      assert.deepEqual(
        groups.body.value.map((g: { name: string }) => g.name),
        ["rg-one"],
      );
      const refused = await call("PUT", url, await tokenOf(reader), body);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, "AuthorizationFailed");
      assert.match(refused.body.error.message, /Microsoft\.CognitiveServices\/accounts\/deployments\/write/);
      assert.match(
        refused.body.error.message,
        new RegExp(`over scope '${sub}/resourceGroups/rg-one/providers/Microsoft.CognitiveServices/accounts/acct-one/deployments/by-role'`),
      );
      assert.match(refused.body.error.message, new RegExp(reader.objectId));
      assert.equal((await call("GET", url, admin)).status, 404);
      assert.equal((await call("GET", url, await tokenOf(reader))).status, 404);
      contributorToken = await tokenOf(contributor);
      const allowed = await call("PUT", url, contributorToken, body);
      assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
      // Managing deployments is not using them: the Contributor's chat completion is refused on the data plane.
      const cognitiveToken = (await appCredential(keyless.facts, contributor.appId, contributor.secret).getToken(COGNITIVE_SCOPE))!.token;
      const chat = await call("POST", `${base}/accounts/acct-one/models/chat/completions?api-version=2024-05-01-preview`, cognitiveToken, {
        model: "by-role",
        messages: [{ role: "user", content: "hi" }],
      });
      assert.equal(chat.status, 401);
      assert.equal(chat.body.error.code, "PermissionDenied");
    });

    test("deleting a group: 202, polled to Succeeded, and its resources, keys and role assignments are gone", async () => {
      const r = await fetch(`${rg("rg-one")}?${RV}`, { method: "DELETE", headers: { authorization: `Bearer ${admin}` } });
      assert.equal(r.status, 202);
      const status = await call("GET", r.headers.get("azure-asyncoperation")!, admin);
      assert.equal(status.body.status, "Succeeded");
      assert.equal((await fetch(r.headers.get("location")!, { headers: { authorization: `Bearer ${admin}` } })).status, 200);
      assert.equal((await call("GET", `${rg("rg-one")}?${RV}`, admin)).status, 404);
      assert.equal((await call("GET", `${account("rg-one", "acct-one")}?${V}`, admin)).status, 404);
      const list = await call("GET", `${base}${sub}/resources?${RV}`, admin);
      assert.deepEqual(
        list.body.value.map((x: { name: string }) => x.name),
        ["keyless-demo"],
      );
      // The name is free again.
      assert.equal((await call("PUT", `${rg("rg-one")}?${RV}`, admin, { location: "local" })).status, 201);
      assert.equal(
        (await call("PUT", `${account("rg-one", "acct-one")}?${V}`, admin, { kind: "OpenAI", sku: { name: "S0" }, location: "local" }))
          .status,
        201,
      );
      // The Contributor's assignment at the old group went with it: the same name grants nothing.
      const body = {
        properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" }, scaleSettings: { scaleType: "Standard" } },
      };
      assert.equal((await call("PUT", `${account("rg-one", "acct-one")}/deployments/again?${V}`, contributorToken, body)).status, 403);
    });

    test("activity log: every write with caller, operation, scope, status and the client's correlation id", async () => {
      const correlation = crypto.randomUUID();
      const refused = await fetch(`${rg("x.")}?${RV}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json", "x-ms-client-request-id": correlation },
        body: "{}",
      });
      assert.equal(refused.status, 400);
      const filter = encodeURIComponent(`eventTimestamp ge '${startedAt}'`);
      const events = await call(
        "GET",
        `${base}${sub}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=${filter}`,
        admin,
      );
      assert.equal(events.status, 200, JSON.stringify(events.body));
      const mine = events.body.value.find((e: { correlationId: string }) => e.correlationId === correlation);
      assert.equal(mine.status.value, "Failed");
      assert.equal(
        mine.operationName.value,
        "Microsoft.Resources/subscriptions/resourceGroups/write",
        "the RBAC operation, as Azure logs it",
      );
      assert.equal(mine.caller, keyless.facts.adminUsername);
      const created = events.body.value.find(
        (e: { resourceId: string; status: { value: string } }) =>
          /accounts\/acct-one$/.test(e.resourceId) && e.status.value === "Succeeded",
      );
      assert.equal(created.operationName.value, "Microsoft.CognitiveServices/accounts/write");
      const badFilter = await call(
        "GET",
        `${base}${sub}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=level eq 'x'`,
        admin,
      );
      assert.equal(badFilter.body.error.code, "InvalidFilter");
    });
  });
