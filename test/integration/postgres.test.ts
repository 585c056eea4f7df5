import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ModelClient from "@azure-rest/ai-inference";
import { ARM_SCOPE, COGNITIVE_SCOPE, GRAPH_SCOPE, adminCredential, appCredential, call, registerApp } from "../harness/clients.ts";
import { POSTGRES_URL, dialects, testSchema } from "../harness/databases.ts";
import { type KeylessProcess, startKeyless } from "../harness/keyless-process.ts";

describe("the whole path on PostgreSQL storage", { skip: !dialects.includes("postgres") }, () => {
  const schema = testSchema("e2e");
  let keyless: KeylessProcess;

  before(async () => {
    keyless = await startKeyless({ env: { KEYLESS_STORAGE: POSTGRES_URL, KEYLESS_STORAGE_SCHEMA: schema } });
  });
  after(async () => {
    await keyless?.stop();
    keyless?.cleanup();
  });

  test("an app granted Cognitive Services User gets a completion, also after a restart", async () => {
    const { facts } = keyless;
    const admin = adminCredential(facts);
    const app = await registerApp(facts, (await admin.getToken(GRAPH_SCOPE))!.token, "pg-app");
    const accountId = `/subscriptions/${facts.subscriptionId}/resourceGroups/keyless-demo/providers/Microsoft.CognitiveServices/accounts/keyless-demo`;
    const put = await call(
      "PUT",
      `${facts.url}${accountId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
      (await admin.getToken(ARM_SCOPE))!.token,
      {
        properties: { roleDefinitionId: "a97b65f3-24c7-4388-baec-2e87135dc908", principalId: app.objectId },
      },
    );
    assert.equal(put.status, 201);
    keyless = await keyless.restart();
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
