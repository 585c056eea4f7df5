import assert from "node:assert/strict";
import { describe, test } from "node:test";
import ModelClient from "@azure-rest/ai-inference";
import { ARM_SCOPE, adminCredential, appCredential, COGNITIVE_SCOPE, GRAPH_SCOPE, registerApp, assignRole } from "../harness/clients.ts";
import { dialects, POSTGRES_URL, testSchema } from "../harness/databases.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

describe("the whole path on PostgreSQL storage", {
  skip: !dialects.includes("postgres") && "KEYLESS_TEST_DIALECTS leaves PostgreSQL out",
}, () => {
  const schema = testSchema("e2e");
  const keyless = useKeyless({ env: { KEYLESS_STORAGE: POSTGRES_URL, KEYLESS_STORAGE_SCHEMA: schema } });

  test("an app granted Cognitive Services User gets a completion, also after a restart", async () => {
    const { facts } = keyless;
    const admin = adminCredential(facts);
    const app = await registerApp(facts, (await admin.getToken(GRAPH_SCOPE))!.token, "pg-app");
    const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/keyless-demo/providers/Microsoft.CognitiveServices/accounts/keyless-demo`;
    await assignRole(facts, (await admin.getToken(ARM_SCOPE))!.token, {
      scope: accountId,
      role: RoleIds.cognitiveServicesUser,
      principalId: app.objectId,
    });
    await keyless.restart();
    assert.equal(keyless.facts.tenantId, facts.tenantId);
    const client = ModelClient(keyless.facts.demo!.endpoint, appCredential(keyless.facts, app.appId, app.secret), {
      credentials: { scopes: [COGNITIVE_SCOPE] },
    });
    const response = await client
      .path("/chat/completions")
      .post({ body: { model: "echo", messages: [{ role: "user", content: "on postgres" }] } });
    assert.equal(response.status, "200", JSON.stringify(response.body));
  });
});
