import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AzureKeyCredential } from "@azure/core-auth";
import ModelClient from "@azure-rest/ai-inference";
import { readCallLog } from "../harness/call-log-file.ts";
import { ARM_SCOPE, adminCredential, call } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";

/** `recordPromptText: true` is the operator's opt-in; without it no prompt reaches the log (data-plane-sdks.test.ts). */
describe("call log prompt text", () => {
  const keyless = useKeyless({ env: { KEYLESS_RECORD_PROMPT_TEXT: "true" } });

  test("with recordPromptText on, each call's record keeps the prompt it sent (chat messages, embeddings input)", async () => {
    const { facts } = keyless;
    const arm = (await adminCredential(facts).getToken(ARM_SCOPE))!.token;
    const keys = await call(
      "POST",
      `${facts.url}/subscriptions/${facts.subscriptionId}/resourceGroups/${facts.demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${facts.demo!.account}/listKeys?api-version=2023-05-01`,
      arm,
    );
    const client = ModelClient(facts.demo!.endpoint, new AzureKeyCredential(keys.body.key1));
    const chat = await client.path("/chat/completions").post({
      body: {
        model: "echo",
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "remember the lighthouse" },
        ],
      },
    });
    assert.equal(chat.status, "200");
    const embeddings = await client.path("/embeddings").post({ body: { model: "embed", input: ["first passage", "second passage"] } });
    assert.equal(embeddings.status, "200");

    await new Promise((resolve) => setTimeout(resolve, 600)); // the log is written in batches every 250 ms
    const rows = await readCallLog(keyless.dataDir);
    const chatRow = rows.find((r) => r.operation === "POST /models/chat/completions")!;
    assert.deepEqual(JSON.parse(chatRow.prompt_text!), [
      { role: "system", content: "be brief" },
      { role: "user", content: "remember the lighthouse" },
    ]);
    const embedRow = rows.find((r) => r.operation === "POST /models/embeddings")!;
    assert.deepEqual(JSON.parse(embedRow.prompt_text!), ["first passage", "second passage"]);
  });
});
