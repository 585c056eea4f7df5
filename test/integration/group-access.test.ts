import assert from "node:assert/strict";
import { describe, test } from "node:test";
import ModelClient from "@azure-rest/ai-inference";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  COGNITIVE_SCOPE,
  call,
  GRAPH_SCOPE,
  registerApp,
  assignRole,
} from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

describe("group access", () => {
  const keyless = useKeyless();

  test("a role held by a group reaches members of nested groups; removing the membership denies the very next call", async () => {
    const { facts } = keyless;
    const graph = `${facts.url}/graph/v1.0`;
    const admin = adminCredential(facts);
    const graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
    const app = await registerApp(facts, graphToken, "group-member-app");
    const group = async (name: string) =>
      (
        await call("POST", `${graph}/groups`, graphToken, {
          displayName: name,
          mailNickname: name,
          mailEnabled: false,
          securityEnabled: true,
        })
      ).body.id as string;
    const ref = (id: string) => ({ "@odata.id": `${graph}/directoryObjects/${id}` });
    const outer = await group("model-users");
    const inner = await group("team-a");
    assert.equal((await call("POST", `${graph}/groups/${outer}/members/$ref`, graphToken, ref(inner))).status, 204);
    assert.equal((await call("POST", `${graph}/groups/${inner}/members/$ref`, graphToken, ref(app.objectId))).status, 204);

    const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/keyless-demo/providers/Microsoft.CognitiveServices/accounts/keyless-demo`;
    const assignment = await assignRole(facts, (await admin.getToken(ARM_SCOPE))!.token, {
      scope: accountId,
      role: RoleIds.cognitiveServicesUser,
      principalId: outer,
    });
    assert.equal(assignment.properties.principalType, "Group");

    const client = ModelClient(facts.demo!.endpoint, appCredential(facts, app.appId, app.secret), {
      credentials: { scopes: [COGNITIVE_SCOPE] },
    });
    const chat = () =>
      client.path("/chat/completions").post({ body: { model: "echo", messages: [{ role: "user", content: "through my group" }] } });
    const allowed = await chat();
    assert.equal(allowed.status, "200", JSON.stringify(allowed.body));

    assert.equal((await call("DELETE", `${graph}/groups/${inner}/members/${app.objectId}/$ref`, graphToken)).status, 204);
    const denied = await chat();
    assert.equal(denied.status, "401");
    assert.equal((denied.body as { error: { code: string } }).error.code, "PermissionDenied");
  });
});
