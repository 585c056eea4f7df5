import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AzureKeyCredential } from "@azure/core-auth";
import ModelClient, { isUnexpected } from "@azure-rest/ai-inference";
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
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const V = "api-version=2023-05-01";

describe("account keys", () => {
  const keyless = useKeyless();

  test("account keys from listKeys call the data plane; regenerating one and disableLocalAuth stop keys on the next call, tokens keep working", async () => {
    const { facts } = keyless;
    const admin = adminCredential(facts);
    const arm = (await admin.getToken(ARM_SCOPE))!.token;
    const accountUrl = `${facts.url}/subscriptions/${facts.subscriptionId}/resourceGroups/keyless-demo/providers/Microsoft.CognitiveServices/accounts/keyless-demo`;
    const keys = await call("POST", `${accountUrl}/listKeys?${V}`, arm);
    assert.equal(keys.status, 200, JSON.stringify(keys.body));
    const chatWith = (key: string) =>
      ModelClient(facts.demo!.endpoint, new AzureKeyCredential(key))
        .path("/chat/completions")
        .post({ body: { model: "echo", messages: [{ role: "user", content: "with a key" }] } });

    const byKey = await chatWith(keys.body.key1);
    assert.equal(byKey.status, "200", JSON.stringify(byKey.body));
    assert.equal((await chatWith(keys.body.key2)).status, "200");

    const regenerated = await call("POST", `${accountUrl}/regenerateKey?${V}`, arm, { keyName: "Key1" });
    assert.equal(regenerated.status, 200);
    assert.notEqual(regenerated.body.key1, keys.body.key1);
    const old = await chatWith(keys.body.key1);
    assert.equal(old.status, "401");
    assert.ok(isUnexpected(old));
    assert.equal(old.body.error.code, "InvalidSubscriptionKey");
    assert.equal((await chatWith(regenerated.body.key1)).status, "200");

    const app = await registerApp(facts, (await admin.getToken(GRAPH_SCOPE))!.token, "keys-and-tokens");
    await assignRole(facts, arm, {
      scope: accountUrl.slice(facts.url.length),
      role: RoleIds.cognitiveServicesUser,
      principalId: app.objectId,
    });

    const disable = await call("PATCH", `${accountUrl}?${V}`, arm, { properties: { disableLocalAuth: true } });
    assert.equal(disable.status, 200, JSON.stringify(disable.body));
    assert.equal(disable.body.properties.disableLocalAuth, true);
    const refused = await chatWith(regenerated.body.key1);
    assert.equal(refused.status, "403");
    assert.ok(isUnexpected(refused));
    assert.equal(refused.body.error.code, "AuthenticationTypeDisabled");
    const byToken = await ModelClient(facts.demo!.endpoint, appCredential(facts, app.appId, app.secret), {
      credentials: { scopes: [COGNITIVE_SCOPE] },
    })
      .path("/chat/completions")
      .post({ body: { model: "echo", messages: [{ role: "user", content: "with a token" }] } });
    assert.equal(byToken.status, "200", JSON.stringify(byToken.body));
  });
});
