import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ARM_SCOPE, adminCredential, appCredential, assignRole, call, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const AUTHZ = "providers/Microsoft.Authorization";
const EVERYONE = "00000000-0000-0000-0000-000000000000";

/**
 * Threats: a User Access Administrator of one resource group denies Everyone there and locks the subscription
 * Owner out with no way back; deny assignments that cannot be deleted; deny (and role) assignments that outlive
 * their resource group, so a namesake created later is still denied.
 */
describe("deny assignments: no lock-out, deletable, removed with their scope", () => {
  const keyless = useKeyless();
  let owner: string;
  let rgAdmin: { appId: string; secret: string; objectId: string };
  let rgAdminToken: string;
  let sub: string;
  let rg: string;

  const arm = (method: string, path: string, token: string, body?: unknown, version = "2022-04-01") =>
    call(method, `${keyless.facts.url}${path}${path.includes("?") ? "&" : "?"}api-version=${version}`, token, body);
  const createGroup = () => arm("PUT", rg, owner, { location: "local" }, "2021-04-01");
  const denyEveryone = (actions: string[]) =>
    arm("PUT", `${rg}/${AUTHZ}/denyAssignments/${crypto.randomUUID()}`, rgAdminToken, {
      properties: {
        denyAssignmentName: "everyone but me",
        permissions: [{ actions }],
        principals: [{ id: EVERYONE, type: "SystemDefined" }],
        excludePrincipals: [{ id: rgAdmin.objectId, type: "ServicePrincipal" }],
      },
    });

  before(async () => {
    const admin = adminCredential(keyless.facts);
    owner = (await admin.getToken(ARM_SCOPE))!.token;
    rgAdmin = await registerApp(keyless.facts, (await admin.getToken(GRAPH_SCOPE))!.token, "lockout-rg-admin");
    sub = `/subscriptions/${keyless.facts.subscriptionId}`;
    rg = `${sub}/resourceGroups/rg-lockout`;
    assert.equal((await createGroup()).status, 201);
    await assignRole(keyless.facts, owner, { scope: rg, role: RoleIds.userAccessAdministrator, principalId: rgAdmin.objectId });
    rgAdminToken = (await appCredential(keyless.facts, rgAdmin.appId, rgAdmin.secret).getToken(ARM_SCOPE))!.token;
  });

  test("the subscription Owner, denied everything in a resource group, can still delete the deny and repair access", async () => {
    const deny = await denyEveryone(["*"]);
    assert.equal(deny.status, 201, JSON.stringify(deny.body));
    const locked = await arm("GET", rg, owner, undefined, "2021-04-01");
    assert.equal(locked.status, 403, "the deny holds for everything but Microsoft.Authorization");

    // Microsoft.Authorization stays within reach: read the denies, repair assignments, delete the deny.
    const listed = await arm("GET", `${rg}/${AUTHZ}/denyAssignments`, owner);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.value.map((d: { name: string }) => d.name),
      [deny.body.name],
    );
    const repaired = await arm("PUT", `${rg}/${AUTHZ}/roleAssignments/${crypto.randomUUID()}`, owner, {
      properties: { roleDefinitionId: RoleIds.reader, principalId: rgAdmin.objectId },
    });
    assert.equal(repaired.status, 201, JSON.stringify(repaired.body));
    const deleted = await arm("DELETE", deny.body.id, owner);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal(deleted.body.name, deny.body.name);
    assert.equal((await arm("DELETE", deny.body.id, owner)).status, 204, "a second delete finds nothing");
    assert.equal((await arm("GET", rg, owner, undefined, "2021-04-01")).status, 200, "access is back");
  });

  test("a deny assignment is deleted only with denyAssignments/delete at its own scope", async () => {
    const deny = await denyEveryone(["Microsoft.CognitiveServices/*"]);
    assert.equal(deny.status, 201);
    const bystander = await registerApp(
      keyless.facts,
      (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token,
      "lockout-bystander",
    );
    const bystanderToken = (await appCredential(keyless.facts, bystander.appId, bystander.secret).getToken(ARM_SCOPE))!.token;
    const refused = await arm("DELETE", deny.body.id, bystanderToken);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, "AuthorizationFailed");
    const elsewhere = await arm("DELETE", `${sub}/${AUTHZ}/denyAssignments/${deny.body.name}`, owner);
    assert.equal(elsewhere.status, 204, "named through another scope, nothing is deleted");
    assert.equal((await arm("GET", deny.body.id, owner)).status, 200);
    assert.equal((await arm("DELETE", deny.body.id, rgAdminToken)).status, 200);
  });

  test("deleting the resource group removes its deny and role assignments: a namesake inherits nothing", async () => {
    const deny = await denyEveryone(["Microsoft.CognitiveServices/*"]);
    assert.equal(deny.status, 201, JSON.stringify(deny.body));
    const removed = await arm("DELETE", rg, owner, undefined, "2021-04-01");
    assert.ok(removed.status === 200 || removed.status === 202, JSON.stringify(removed.body));
    assert.equal((await createGroup()).status, 201);
    const denies = await arm("GET", `${rg}/${AUTHZ}/denyAssignments`, owner);
    assert.deepEqual(denies.body.value, []);
    const assignments = await arm("GET", `${rg}/${AUTHZ}/roleAssignments?$filter=atScope()`, owner);
    assert.deepEqual(
      assignments.body.value.filter((a: { properties: { scope: string } }) => a.properties.scope.toLowerCase() === rg.toLowerCase()),
      [],
    );
    const write = await arm(
      "PUT",
      `${rg}/providers/Microsoft.CognitiveServices/accounts/fresh`,
      owner,
      {
        location: "local",
        kind: "AIServices",
        sku: { name: "S0" },
        properties: {},
      },
      "2024-10-01",
    );
    assert.ok(write.status === 200 || write.status === 201, JSON.stringify(write.body));
  });
});
