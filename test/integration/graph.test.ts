import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { UsernamePasswordCredential } from "@azure/identity";
import { AZURE_CLI_CLIENT_ID, adminCredential, appCredential, call, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { DirectoryRoleIds } from "../harness/role-ids.ts";

describe("Microsoft Graph subset: users, groups, nested membership, queries, directory roles", () => {
  const keyless = useKeyless();
  let graph: string;
  let admin: string;
  const userToken = async (upn: string, password: string) =>
    (await new UsernamePasswordCredential(keyless.facts.tenantId, AZURE_CLI_CLIENT_ID, upn, password, {
      authorityHost: keyless.facts.url,
      disableInstanceDiscovery: true,
    }).getToken(GRAPH_SCOPE))!.token;
  const newUser = async (name: string, password = "Str0ng-Passw0rd!") => {
    const created = await call("POST", `${graph}/users`, admin, {
      accountEnabled: true,
      displayName: name,
      mailNickname: name,
      userPrincipalName: `${name}@keyless.local`,
      passwordProfile: { password, forceChangePasswordNextSignIn: false },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { id: string; userPrincipalName: string };
  };
  const newGroup = async (name: string) => {
    const created = await call("POST", `${graph}/groups`, admin, {
      displayName: name,
      mailNickname: name,
      mailEnabled: false,
      securityEnabled: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { id: string };
  };
  const ref = (id: string) => ({ "@odata.id": `${graph}/directoryObjects/${id}` });

  before(async () => {
    graph = `${keyless.facts.url}/graph/v1.0`;
    admin = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
  });

  test("users: create, get by id and by UPN, PATCH, disable, and the password is never echoed", async () => {
    const ada = await newUser("ada");
    const byUpn = await call("GET", `${graph}/users/ADA@keyless.local`, admin);
    assert.equal(byUpn.status, 200);
    assert.equal(byUpn.body.id, ada.id);
    assert.match(byUpn.body["@odata.context"], /\$metadata#users\/\$entity$/);
    assert.ok(!JSON.stringify(byUpn.body).includes("Str0ng-Passw0rd!"));
    const patch = await call("PATCH", `${graph}/users/${ada.id}`, admin, { displayName: "Ada Lovelace", accountEnabled: false });
    assert.equal(patch.status, 204);
    const after = await call("GET", `${graph}/users/${ada.id}?$select=displayName,accountEnabled`, admin);
    assert.deepEqual(after.body, { "@odata.context": after.body["@odata.context"], displayName: "Ada Lovelace", accountEnabled: false });
    const weak = await call("POST", `${graph}/users`, admin, {
      accountEnabled: true,
      displayName: "w",
      mailNickname: "w",
      userPrincipalName: "w@keyless.local",
      passwordProfile: { password: "short" },
    });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, "Request_BadRequest");
    assert.ok(!weak.body.error.message.includes("short"));
    const duplicate = await call("POST", `${graph}/users`, admin, {
      accountEnabled: true,
      displayName: "a",
      mailNickname: "a",
      userPrincipalName: "Ada@keyless.local",
      passwordProfile: { password: "Str0ng-Passw0rd!" },
    });
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.body.error.code, "Request_MultipleObjectsWithSameKeyValue");
  });

  test("$filter forms the CLI sends, unknown filters refused, $top pages with an absolute @odata.nextLink", async () => {
    for (const n of ["page-a", "page-b", "page-c"]) await newGroup(n);
    const eq = await call("GET", `${graph}/groups?$filter=${encodeURIComponent("displayName eq 'page-b'")}`, admin);
    assert.deepEqual(
      eq.body.value.map((g: { displayName: string }) => g.displayName),
      ["page-b"],
    );
    const both = await call(
      "GET",
      `${graph}/groups?$filter=${encodeURIComponent("displayName eq 'page-b' and mailNickname eq 'page-b'")}`,
      admin,
    );
    assert.equal(both.body.value.length, 1);
    const prefix = await call("GET", `${graph}/groups?$filter=${encodeURIComponent("startswith(displayName,'PAGE-')")}&$top=2`, admin);
    assert.equal(prefix.body.value.length, 2);
    const next = prefix.body["@odata.nextLink"] as string;
    assert.ok(next.startsWith(`${graph}/groups?`), next);
    const rest = await call("GET", next, admin);
    assert.equal(rest.body.value.length, 1);
    assert.equal(rest.body["@odata.nextLink"], undefined);
    const seen = [...prefix.body.value, ...rest.body.value].map((g: { displayName: string }) => g.displayName).sort();
    assert.deepEqual(seen, ["page-a", "page-b", "page-c"]);

    const unknown = await call("GET", `${graph}/users?$filter=${encodeURIComponent("jobTitle eq 'x'")}`, admin);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, "Request_UnsupportedQuery");
    const broken = await call("GET", `${graph}/users?$filter=${encodeURIComponent("displayName eq")}`, admin);
    assert.equal(broken.status, 400);
    const orderby = await call("GET", `${graph}/users?$orderby=displayName`, admin);
    assert.equal(orderby.body.error.code, "Request_UnsupportedQuery");
  });

  test("nested groups: transitiveMembers, transitiveMemberOf, checkMemberGroups; a cycle is refused; removal takes effect", async () => {
    const bob = await newUser("bob");
    const [outer, inner] = [await newGroup("outer"), await newGroup("inner")];
    assert.equal((await call("POST", `${graph}/groups/${outer.id}/members/$ref`, admin, ref(inner.id))).status, 204);
    assert.equal((await call("POST", `${graph}/groups/${inner.id}/members/$ref`, admin, ref(bob.id))).status, 204);
    const again = await call("POST", `${graph}/groups/${inner.id}/members/$ref`, admin, ref(bob.id));
    assert.equal(again.status, 400);
    const cycle = await call("POST", `${graph}/groups/${inner.id}/members/$ref`, admin, ref(outer.id));
    assert.equal(cycle.status, 400);
    assert.equal(cycle.body.error.code, "Request_BadRequest");

    const direct = await call("GET", `${graph}/groups/${outer.id}/members`, admin);
    assert.deepEqual(
      direct.body.value.map((o: { id: string }) => o.id),
      [inner.id],
    );
    assert.equal(direct.body.value[0]["@odata.type"], "#microsoft.graph.group");
    const transitive = await call("GET", `${graph}/groups/${outer.id}/transitiveMembers`, admin);
    assert.deepEqual(transitive.body.value.map((o: { id: string }) => o.id).sort(), [inner.id, bob.id].sort());
    const memberOf = await call("GET", `${graph}/users/${bob.id}/transitiveMemberOf`, admin);
    assert.deepEqual(memberOf.body.value.map((o: { id: string }) => o.id).sort(), [inner.id, outer.id].sort());
    const check = await call("POST", `${graph}/directoryObjects/${bob.id}/checkMemberGroups`, admin, {
      groupIds: [outer.id, crypto.randomUUID()],
    });
    assert.deepEqual(check.body.value, [outer.id]);

    assert.equal((await call("DELETE", `${graph}/groups/${outer.id}/members/${inner.id}/$ref`, admin)).status, 204);
    const afterRemoval = await call("POST", `${graph}/users/${bob.id}/checkMemberGroups`, admin, { groupIds: [outer.id] });
    assert.deepEqual(afterRemoval.body.value, []);
    const gone = await call("DELETE", `${graph}/groups/${outer.id}/members/${inner.id}/$ref`, admin);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, "Request_ResourceNotFound");
  });

  test("a group's owner manages that group (PATCH, members) but no other; owners are listed with their type", async () => {
    const frank = await newUser("frank", "Frank-Passw0rd!");
    const frankToken = await userToken(frank.userPrincipalName, "Frank-Passw0rd!");
    const [own, other] = [await newGroup("franks-group"), await newGroup("not-franks")];
    const grace = await newUser("grace");
    assert.equal((await call("POST", `${graph}/groups/${own.id}/owners/$ref`, admin, ref(frank.id))).status, 204);
    const owners = await call("GET", `${graph}/groups/${own.id}/owners`, frankToken);
    assert.deepEqual(
      owners.body.value.map((o: Record<string, string>) => [o.id, o["@odata.type"]]),
      [[frank.id, "#microsoft.graph.user"]],
    );
    assert.equal((await call("PATCH", `${graph}/groups/${own.id}`, frankToken, { description: "mine" })).status, 204);
    assert.equal((await call("GET", `${graph}/groups/${own.id}`, frankToken)).body.description, "mine");
    assert.equal((await call("POST", `${graph}/groups/${own.id}/members/$ref`, frankToken, ref(grace.id))).status, 204);
    const foreign = await call("POST", `${graph}/groups/${other.id}/members/$ref`, frankToken, ref(grace.id));
    assert.equal(foreign.status, 403);
    assert.equal((await call("PATCH", `${graph}/groups/${other.id}`, frankToken, { description: "x" })).status, 403);
    const badPatch = await call("PATCH", `${graph}/groups/${own.id}`, frankToken, { visibility: "Public" });
    assert.equal(badPatch.status, 400);
    assert.equal((await call("DELETE", `${graph}/groups/${own.id}/owners/${frank.id}/$ref`, admin)).status, 204);
    assert.equal(
      (await call("POST", `${graph}/groups/${own.id}/members/$ref`, frankToken, ref(frank.id))).status,
      403,
      "no longer an owner",
    );
  });

  test("getByIds returns @odata.type per object and honours types; service principals are found by servicePrincipalNames", async () => {
    const app = await registerApp(keyless.facts, admin, "graph-getbyids-app");
    const carol = await newUser("carol");
    const byIds = await call("POST", `${graph}/directoryObjects/getByIds`, admin, {
      ids: [app.objectId, carol.id, crypto.randomUUID()],
      types: ["user", "group", "servicePrincipal", "directoryObjectPartnerReference"],
    });
    assert.deepEqual(byIds.body.value.map((o: Record<string, string>) => o["@odata.type"]).sort(), [
      "#microsoft.graph.servicePrincipal",
      "#microsoft.graph.user",
    ]);
    const onlyUsers = await call("POST", `${graph}/directoryObjects/getByIds`, admin, { ids: [app.objectId, carol.id], types: ["user"] });
    assert.deepEqual(
      onlyUsers.body.value.map((o: { id: string }) => o.id),
      [carol.id],
    );
    const spn = await call(
      "GET",
      `${graph}/servicePrincipals?$filter=${encodeURIComponent(`servicePrincipalNames/any(c:c eq '${app.appId}')`)}`,
      admin,
    );
    assert.deepEqual(
      spn.body.value.map((o: { id: string }) => o.id),
      [app.objectId],
    );
    const appByAppId = await call("GET", `${graph}/applications?$filter=${encodeURIComponent(`appId eq '${app.appId}'`)}`, admin);
    assert.equal(appByAppId.body.value.length, 1);
    assert.equal(appByAppId.body.value[0].passwordCredentials.length, 1);
    assert.equal(appByAppId.body.value[0].passwordCredentials[0].secretText, null);
  });

  test("applications: removePassword revokes the secret at the token endpoint; deleting the application removes its service principal", async () => {
    const app = await registerApp(keyless.facts, admin, "graph-remove-password-app");
    const credential = appCredential(keyless.facts, app.appId, app.secret);
    assert.ok(await credential.getToken(GRAPH_SCOPE));
    const listed = await call("GET", `${graph}/applications?$filter=${encodeURIComponent(`appId eq '${app.appId}'`)}`, admin);
    const applicationId = listed.body.value[0].id as string;
    const keyId = listed.body.value[0].passwordCredentials[0].keyId as string;
    assert.equal((await call("POST", `${graph}/applications/${applicationId}/removePassword`, admin, { keyId })).status, 204);
    await assert.rejects(appCredential(keyless.facts, app.appId, app.secret).getToken(GRAPH_SCOPE));
    assert.equal((await call("DELETE", `${graph}/applications/${applicationId}`, admin)).status, 204);
    assert.equal((await call("GET", `${graph}/servicePrincipals/${app.objectId}`, admin)).status, 404);
  });

  test("directory roles: a plain member reads but cannot write; a User Administrator manages users but not the Global Administrator", async () => {
    const dave = await newUser("dave", "Dave-Passw0rd!");
    const daveToken = await userToken(dave.userPrincipalName, "Dave-Passw0rd!");
    const me = await call("GET", `${graph}/me`, daveToken);
    assert.equal(me.status, 200);
    assert.equal(me.body.id, dave.id);
    assert.equal((await call("GET", `${graph}/users`, daveToken)).status, 200);
    const denied = await call("POST", `${graph}/groups`, daveToken, {
      displayName: "x",
      mailNickname: "x",
      mailEnabled: false,
      securityEnabled: true,
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, "Authorization_RequestDenied");
    const selfPromote = await call(
      "POST",
      `${graph}/directoryRoles/${DirectoryRoleIds.userAdministrator}/members/$ref`,
      daveToken,
      ref(dave.id),
    );
    assert.equal(selfPromote.status, 403);

    assert.equal(
      (await call("POST", `${graph}/directoryRoles/roleTemplateId=${DirectoryRoleIds.userAdministrator}/members/$ref`, admin, ref(dave.id)))
        .status,
      204,
    );
    const members = await call("GET", `${graph}/directoryRoles/${DirectoryRoleIds.userAdministrator}/members`, admin);
    assert.deepEqual(
      members.body.value.map((o: { id: string }) => o.id),
      [dave.id],
    );
    const erin = await newUser("erin");
    assert.equal((await call("PATCH", `${graph}/users/${erin.id}`, daveToken, { displayName: "Erin E" })).status, 204);
    const adminUser = await call("GET", `${graph}/users/${keyless.facts.adminUsername}`, daveToken);
    const takeover = await call("PATCH", `${graph}/users/${adminUser.body.id}`, daveToken, {
      passwordProfile: { password: "Taken-0ver-pass!" },
    });
    assert.equal(takeover.status, 403);
    assert.equal((await call("POST", `${graph}/applications`, daveToken, { displayName: "nope" })).status, 403);
    assert.equal((await call("PATCH", `${graph}/users/${dave.id}`, admin, { accountEnabled: false })).status, 204);
    assert.equal((await call("GET", `${graph}/me`, daveToken)).status, 401, "a disabled user's unexpired token stops working at once");
  });

  test("text longer than Entra's limits is 400 Request_BadRequest naming the property, and nothing changes", async () => {
    const long = (n: number) => "x".repeat(n);
    const refused = async (method: string, path: string, body: object, property: string, resource: string) => {
      const res = await call(method, `${graph}${path}`, admin, body);
      assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, "Request_BadRequest");
      assert.match(res.body.error.message, new RegExp(`^Invalid value specified for property '${property}' of resource '${resource}'`));
    };
    const user = await newUser("limits");
    const group = await newGroup("limits");
    const app = await call("POST", `${graph}/applications`, admin, { displayName: long(256) });
    assert.equal(app.status, 201, "256 characters are allowed");
    const groupBody = { mailNickname: "g2", mailEnabled: false, securityEnabled: true };
    await refused("POST", "/groups", { ...groupBody, displayName: long(257) }, "displayName", "Group");
    await refused("POST", "/groups", { ...groupBody, displayName: "g2", description: long(1025) }, "description", "Group");
    await refused("PATCH", `/groups/${group.id}`, { displayName: long(257) }, "displayName", "Group");
    await refused("PATCH", `/groups/${group.id}`, { description: long(1025) }, "description", "Group");
    await refused("PATCH", `/users/${user.id}`, { displayName: long(257) }, "displayName", "User");
    await refused("POST", "/applications", { displayName: long(257) }, "displayName", "Application");
    await refused("PATCH", `/applications/${app.body.id}`, { displayName: long(257) }, "displayName", "Application");
    await refused(
      "POST",
      `/applications/${app.body.id}/addPassword`,
      { passwordCredential: { displayName: long(257) } },
      "displayName",
      "PasswordCredential",
    );
    const unchangedGroup = await call("GET", `${graph}/groups/${group.id}?$select=displayName,description`, admin);
    assert.equal(unchangedGroup.body.displayName, "limits");
    assert.equal(unchangedGroup.body.description, null);
    assert.equal((await call("GET", `${graph}/users/${user.id}?$select=displayName`, admin)).body.displayName, "limits");
    assert.deepEqual((await call("GET", `${graph}/applications/${app.body.id}`, admin)).body.passwordCredentials, []);
    const groups = await call("GET", `${graph}/groups?$filter=mailNickname eq 'g2'`, admin);
    assert.deepEqual(groups.body.value, []);
  });

  test("an application token cannot use /me; deleted principals and missing tokens get 401", async () => {
    const app = await registerApp(keyless.facts, admin, "graph-me-app");
    const appToken = (await appCredential(keyless.facts, app.appId, app.secret).getToken(GRAPH_SCOPE))!.token;
    const me = await call("GET", `${graph}/me`, appToken);
    assert.equal(me.status, 400);
    assert.equal(me.body.error.code, "BadRequest");
    const deleted = await call("DELETE", `${graph}/servicePrincipals/${app.objectId}`, admin);
    assert.equal(deleted.status, 204);
    const stale = await call("GET", `${graph}/users`, appToken);
    assert.equal(stale.status, 401, "a deleted principal's unexpired token stops working at once");
    assert.equal(stale.body.error.code, "InvalidAuthenticationToken");
    const unknown = await call("GET", `${graph}/users/${crypto.randomUUID()}/photo`, admin);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, "BadRequest");
    const anonymous = await call("GET", `${graph}/users`, undefined);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code, "InvalidAuthenticationToken");
  });
});
