import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ARM_SCOPE, adminTokens, appCredential, assignRole, call, registerApp, putRoleAssignment } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const RA = "Microsoft.Authorization/roleAssignments";
/** As a regular expression (`^.*.*…q$`), twelve stars against one action name backtrack for days. */
const STARS = `${"*".repeat(12)}q`;

/**
 * Threat: an Owner of one resource group (who may write custom roles assignable there and assignments with
 * conditions) writes a permission pattern that backtracks exponentially, and with one request holds the event loop
 * of the node that decides it, for every tenant.
 */
describe("RBAC: permission and ActionMatches patterns cannot hold the event loop", () => {
  const keyless = useKeyless();
  let groupScope: string;
  let ownerArm: string;
  let puppets: { appId: string; secret: string; objectId: string }[];

  const armUrl = (path: string, api = "2022-04-01") => `${keyless.facts.url}${path}?api-version=${api}`;
  const tokenOf = async (app: { appId: string; secret: string }) =>
    (await appCredential(keyless.facts, app.appId, app.secret).getToken(ARM_SCOPE))!.token;

  before(async () => {
    const admin = await adminTokens(keyless.facts);
    groupScope = `/subscriptions/${keyless.facts.subscriptionId}/resourceGroups/backtracking-rg`;
    assert.equal((await call("PUT", armUrl(groupScope, "2021-04-01"), admin.arm, { location: "westeurope" })).status, 201);
    const owner = await registerApp(keyless.facts, admin.graph, "backtracking-owner");
    puppets = [
      await registerApp(keyless.facts, admin.graph, "puppet-role"),
      await registerApp(keyless.facts, admin.graph, "puppet-condition"),
    ];
    await assignRole(keyless.facts, admin.arm, { scope: groupScope, role: RoleIds.owner, principalId: owner.objectId });
    ownerArm = await tokenOf(owner);
  });

  test("a custom role whose action is twelve stars and a letter decides at once (403), not after days", async () => {
    const roleId = crypto.randomUUID();
    const role = await call("PUT", armUrl(`${groupScope}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`), ownerArm, {
      properties: { roleName: "Backtracking", assignableScopes: [groupScope], permissions: [{ actions: [STARS] }] },
    });
    assert.equal(role.status, 201, JSON.stringify(role.body));
    const assigned = await putRoleAssignment(keyless.facts, ownerArm, {
      scope: groupScope,
      role: roleId,
      principalId: puppets[0]!.objectId,
    });
    assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
    const read = await call("GET", armUrl(groupScope, "2021-04-01"), await tokenOf(puppets[0]!));
    assert.equal(read.status, 403, JSON.stringify(read.body));
    assert.equal(read.body.error.code, "AuthorizationFailed");
  });

  test("an assignment condition's ActionMatches of twelve stars and a letter decides at once", async () => {
    const condition = `((!(ActionMatches{'${STARS}'})) OR (@Request[${RA}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${RoleIds.reader}}))`;
    const assigned = await call(
      "PUT",
      armUrl(`${groupScope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}`),
      ownerArm,
      {
        properties: {
          roleDefinitionId: `/subscriptions/${keyless.facts.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${RoleIds.reader}`,
          principalId: puppets[1]!.objectId,
          condition,
          conditionVersion: "2.0",
        },
      },
    );
    assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
    const read = await call("GET", armUrl(groupScope, "2021-04-01"), await tokenOf(puppets[1]!));
    assert.equal(read.status, 200, JSON.stringify(read.body));
  });
});
