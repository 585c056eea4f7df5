import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getBearerTokenProvider } from "@azure/identity";
import ModelClient from "@azure-rest/ai-inference";
import { AzureOpenAI, BadRequestError, OpenAI } from "openai";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { keylessCli } from "../harness/cli.ts";
import {
  ARM_SCOPE,
  adminCredential,
  appCredential,
  assignRole,
  COGNITIVE_SCOPE,
  call,
  GRAPH_SCOPE,
  type Json,
  registerApp,
} from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const API = "api-version=2024-10-01";
const SAFE = { filtered: false, severity: "safe" };

/** Content filtering: RAI policies and blocklists over ARM, and Azure's filter shapes through the official SDKs. */
describe("content filtering", () => {
  const keyless = useKeyless();
  let user: { appId: string; secret: string; objectId: string };
  let contributor: { appId: string; secret: string; objectId: string };
  let accountId: string;
  let adminArm: string;
  let contributorArm: string;

  before(async () => {
    const admin = adminCredential(keyless.facts);
    const graph = (await admin.getToken(GRAPH_SCOPE))!.token;
    adminArm = (await admin.getToken(ARM_SCOPE))!.token;
    user = await registerApp(keyless.facts, graph, "filter-user");
    contributor = await registerApp(keyless.facts, graph, "filter-contributor");
    const { subscriptionId, demo } = keyless.facts;
    accountId = `/subscriptions/${subscriptionId}/resourceGroups/${demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${demo!.account}`;
    for (const [who, role] of [
      [user, RoleIds.cognitiveServicesUser],
      [contributor, RoleIds.cognitiveServicesContributor],
    ] as const) {
      await assignRole(keyless.facts, adminArm, { scope: accountId, role, principalId: who.objectId, principalType: "ServicePrincipal" });
    }
    contributorArm = (await appCredential(keyless.facts, contributor.appId, contributor.secret).getToken(ARM_SCOPE))!.token;
  });

  const arm = (method: string, path: string, body?: unknown, token = contributorArm) =>
    call(method, `${keyless.facts.url}${accountId}${path}${path.includes("?") ? "&" : "?"}${API}`, token, body);
  const credential = () => appCredential(keyless.facts, user.appId, user.secret);
  const azureOpenAi = (deployment: string) =>
    new AzureOpenAI({
      endpoint: `${keyless.facts.url}/accounts/${keyless.facts.demo!.account}`,
      deployment,
      apiVersion: "2024-10-21",
      azureADTokenProvider: getBearerTokenProvider(credential(), COGNITIVE_SCOPE),
    });
  const openAiV1 = () =>
    new OpenAI({
      baseURL: `${keyless.facts.url}/accounts/${keyless.facts.demo!.account}/openai/v1/`,
      apiKey: getBearerTokenProvider(credential(), COGNITIVE_SCOPE),
    });
  const deployEcho = async (name: string, raiPolicyName?: string) => {
    const response = await arm("PUT", `/deployments/${name}`, {
      sku: { name: "GlobalStandard", capacity: 100 },
      properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" }, ...(raiPolicyName ? { raiPolicyName } : {}) },
    });
    assert.ok(response.status === 200 || response.status === 201, JSON.stringify(response.body));
    return response.body;
  };
  async function promptRejection(run: () => Promise<unknown>): Promise<Json> {
    const err = await run().then(
      () => assert.fail("the call was not filtered"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof BadRequestError, String(err));
    assert.equal(err.status, 400);
    return err.error;
  }

  test("the default policy annotates a clean chat the way Azure OpenAI does (openai SDK)", async () => {
    const completion = (await azureOpenAi("echo").chat.completions.create({
      model: "echo",
      messages: [{ role: "user", content: "hello there" }],
    })) as unknown as Json;
    assert.equal(completion.choices[0].message.content, 'You said: "hello there"');
    assert.deepEqual(completion.prompt_filter_results, [
      {
        prompt_index: 0,
        content_filter_results: {
          hate: SAFE,
          sexual: SAFE,
          self_harm: SAFE,
          violence: SAFE,
          jailbreak: { filtered: false, detected: false },
        },
      },
    ]);
    assert.deepEqual(completion.choices[0].content_filter_results, {
      hate: SAFE,
      sexual: SAFE,
      self_harm: SAFE,
      violence: SAFE,
      protected_material_text: { filtered: false, detected: false },
      protected_material_code: { filtered: false, detected: false },
    });
  });

  test("a harmful prompt is 400 content_filter with innererror.content_filter_result; below the threshold it passes annotated", async () => {
    const error = await promptRejection(() =>
      azureOpenAi("echo").chat.completions.create({ model: "echo", messages: [{ role: "user", content: "tell me cf-violence-high" }] }),
    );
    assert.equal(error.code, "content_filter");
    assert.equal(error.param, "prompt");
    assert.equal(error.innererror.code, "ResponsibleAIPolicyViolation");
    assert.deepEqual(error.innererror.content_filter_result.violence, { filtered: true, severity: "high" });
    assert.deepEqual(error.innererror.content_filter_result.hate, SAFE);

    const jailbreak = await promptRejection(() =>
      openAiV1().chat.completions.create({ model: "echo", messages: [{ role: "user", content: "cf-jailbreak now" }] }),
    );
    assert.deepEqual(jailbreak.innererror.content_filter_result.jailbreak, { filtered: true, detected: true });

    // Microsoft.DefaultV2 blocks from Medium: a low-severity prompt passes, rated, and the echo answer is rated the same.
    const low = (await openAiV1().chat.completions.create({
      model: "echo",
      messages: [{ role: "user", content: "cf-hate-low" }],
    })) as unknown as Json;
    assert.deepEqual(low.prompt_filter_results[0].content_filter_results.hate, { filtered: false, severity: "low" });
    assert.deepEqual(low.choices[0].content_filter_results.hate, { filtered: false, severity: "low" });
  });

  test("@azure-rest/ai-inference on /models sees the same annotations and the same 400", async () => {
    const client = ModelClient(keyless.facts.demo!.endpoint, credential(), { credentials: { scopes: [COGNITIVE_SCOPE] } });
    const ok = await client.path("/chat/completions").post({ body: { model: "echo", messages: [{ role: "user", content: "hi" }] } });
    assert.equal(ok.status, "200", JSON.stringify(ok.body));
    const body = ok.body as Json;
    assert.deepEqual(body.prompt_filter_results[0].content_filter_results.sexual, SAFE);
    assert.deepEqual(body.choices[0].content_filter_results.violence, SAFE);

    const refused = await client
      .path("/chat/completions")
      .post({ body: { model: "echo", messages: [{ role: "user", content: "cf-self_harm-medium" }] } });
    assert.equal(refused.status, "400");
    const error = (refused.body as Json).error;
    assert.equal(error.code, "content_filter");
    assert.deepEqual(error.innererror.content_filter_result.self_harm, { filtered: true, severity: "medium" });
  });

  test("a stream starts with prompt_filter_results and empty choices; its chunks carry content_filter_results", async () => {
    const stream = await openAiV1().chat.completions.create({
      model: "echo",
      stream: true,
      messages: [{ role: "user", content: "a calm and friendly message that is long enough to need more than one chunk" }],
    });
    const chunks: Json[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.deepEqual(chunks[0].choices, []);
    assert.equal(chunks[0].prompt_filter_results[0].prompt_index, 0);
    assert.deepEqual(chunks[0].prompt_filter_results[0].content_filter_results.jailbreak, { filtered: false, detected: false });
    const content = chunks.slice(1).filter((c) => c.choices[0]?.delta?.content);
    assert.ok(content.length > 1, "several content chunks");
    for (const c of content) assert.deepEqual(c.choices[0].content_filter_results.hate, SAFE);
    assert.equal(
      content.map((c) => c.choices[0].delta.content).join(""),
      'You said: "a calm and friendly message that is long enough to need more than one chunk"',
    );
    assert.equal(chunks.at(-1).choices[0].finish_reason, "stop");
  });

  test("legacy /completions carries the same annotations and the same 400", async () => {
    const completion = (await azureOpenAi("echo").completions.create({ model: "echo", prompt: "hello" })) as unknown as Json;
    assert.equal(completion.object, "text_completion");
    assert.deepEqual(completion.prompt_filter_results[0].content_filter_results.hate, SAFE);
    assert.deepEqual(completion.choices[0].content_filter_results.violence, SAFE);
    const error = await promptRejection(() => azureOpenAi("echo").completions.create({ model: "echo", prompt: "cf-hate-high" }));
    assert.equal(error.code, "content_filter");
  });

  test("a stream whose prompt is filtered is a 400 before any event", async () => {
    const error = await promptRejection(() =>
      openAiV1().chat.completions.create({ model: "echo", stream: true, messages: [{ role: "user", content: "cf-sexual-high" }] }),
    );
    assert.equal(error.code, "content_filter");
  });

  test("Cognitive Services User cannot change a policy (403 AuthorizationFailed); Cognitive Services Contributor can", async () => {
    const userArm = (await credential().getToken(ARM_SCOPE))!.token;
    const policy = { properties: { basePolicyName: "Microsoft.DefaultV2", mode: "Default", contentFilters: [] } };
    const denied = await arm("PUT", "/raiPolicies/strict", policy, userArm);
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    assert.equal(denied.body.error.code, "AuthorizationFailed");
    assert.match(denied.body.error.message, /Microsoft\.CognitiveServices\/accounts\/raiPolicies\/write/);
    const blocklistDenied = await arm("PUT", "/raiBlocklists/words", { properties: {} }, userArm);
    assert.equal(blocklistDenied.status, 403);
    // … but it may read them (its */read actions), including the system-managed ones.
    const listed = await arm("GET", "/raiPolicies", undefined, userArm);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.value.map((p: Json) => [p.name, p.properties.policyType]),
      [
        ["Microsoft.Default", "SystemManaged"],
        ["Microsoft.DefaultV2", "SystemManaged"],
      ],
    );

    const created = await arm("PUT", "/raiPolicies/strict", policy);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.properties.policyType, "UserManaged");
    assert.equal((await arm("DELETE", "/raiPolicies/strict")).status, 200);
    assert.equal((await arm("GET", "/raiPolicies/strict")).status, 404);
  });

  test("bad policies, blocklist items and deployments are refused with Azure-shaped errors and change nothing", async () => {
    const builtin = await arm("DELETE", "/raiPolicies/Microsoft.DefaultV2");
    assert.equal(builtin.status, 400);
    assert.equal(builtin.body.error.code, "SystemManagedRaiPolicy");
    const badFilter = await arm("PUT", "/raiPolicies/bad", {
      properties: { contentFilters: [{ name: "Gossip", blocking: true, enabled: true, source: "Prompt" }] },
    });
    assert.equal(badFilter.status, 400);
    assert.equal(badFilter.body.error.code, "InvalidResourceProperties");
    const badThreshold = await arm("PUT", "/raiPolicies/bad", {
      properties: { contentFilters: [{ name: "Hate", severityThreshold: "Extreme", source: "Prompt" }] },
    });
    assert.equal(badThreshold.status, 400);
    const missingList = await arm("PUT", "/raiPolicies/bad", {
      properties: { customBlocklists: [{ blocklistName: "nope", blocking: true, source: "Prompt" }] },
    });
    assert.equal(missingList.body.error.code, "RaiBlocklistNotFound");
    assert.equal((await arm("GET", "/raiPolicies/bad")).status, 404);

    const missingPolicy = await arm("PUT", "/deployments/unfiltered", {
      properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" }, raiPolicyName: "no-such-policy" },
    });
    assert.equal(missingPolicy.status, 400);
    assert.equal(missingPolicy.body.error.code, "RaiPolicyNotFound");
    assert.equal((await arm("GET", "/deployments/unfiltered")).status, 404);

    assert.equal((await arm("PUT", "/raiBlocklists/checks", { properties: { description: "checks" } })).status, 201);
    const catastrophic = await arm("PUT", "/raiBlocklists/checks/raiBlocklistItems/evil", {
      properties: { pattern: "(a+)+$", isRegex: true },
    });
    assert.equal(catastrophic.status, 400);
    assert.equal(catastrophic.body.error.code, "InvalidRaiBlocklistItem");
    const invalid = await arm("PUT", "/raiBlocklists/checks/raiBlocklistItems/broken", { properties: { pattern: "([a-z", isRegex: true } });
    assert.equal(invalid.body.error.code, "InvalidRaiBlocklistItem");
    const long = await arm("PUT", "/raiBlocklists/checks/raiBlocklistItems/long", { properties: { pattern: "x".repeat(1001) } });
    assert.equal(long.body.error.code, "InvalidRaiBlocklistItem");
    assert.deepEqual((await arm("GET", "/raiBlocklists/checks/raiBlocklistItems")).body.value, []);
    assert.equal((await arm("DELETE", "/raiBlocklists/checks")).status, 200);
  });

  test("a blocklist term is filtered on the next call after the blocklist or the policy changes", async () => {
    assert.equal((await arm("PUT", "/raiBlocklists/codenames", { properties: { description: "project names" } })).status, 201);
    const added = await arm("POST", "/raiBlocklists/codenames/addRaiBlocklistItems", [
      { name: "falcon", properties: { pattern: "Project Falcon", isRegex: false } },
      { name: "ticket", properties: { pattern: "TKT-[0-9]{4}", isRegex: true } },
    ]);
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.name, "codenames");
    const policy = await arm("PUT", "/raiPolicies/guarded", {
      properties: {
        basePolicyName: "Microsoft.DefaultV2",
        mode: "Default",
        contentFilters: [],
        customBlocklists: [{ blocklistName: "codenames", blocking: true, source: "Prompt" }],
      },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const deployment = await deployEcho("guarded-chat", "guarded");
    assert.equal(deployment.properties.raiPolicyName, "guarded");
    const chat = (content: string) =>
      azureOpenAi("guarded-chat").chat.completions.create({ model: "x", messages: [{ role: "user", content }] });

    const error = await promptRejection(() => chat("what is project  FALCON about?"));
    assert.deepEqual(error.innererror.content_filter_result.custom_blocklists, {
      filtered: true,
      details: [{ filtered: true, id: "codenames" }],
    });
    await promptRejection(() => chat("see tkt-1234"));
    // Word boundaries: a longer word is not the term.
    const clean = (await chat("projectfalcons and TKT-12")) as unknown as Json;
    assert.deepEqual(clean.prompt_filter_results[0].content_filter_results.custom_blocklists, { filtered: false, details: [] });

    // A new item is enforced on the very next call.
    assert.equal(
      (await arm("PUT", "/raiBlocklists/codenames/raiBlocklistItems/osprey", { properties: { pattern: "osprey" } })).status,
      201,
    );
    await promptRejection(() => chat("Osprey launches"));
    // Removing it, likewise.
    assert.equal((await arm("DELETE", "/raiBlocklists/codenames/raiBlocklistItems/osprey")).status, 200);
    await chat("Osprey launches");
    // The policy itself changes: the list now only annotates.
    await arm("PUT", "/raiPolicies/guarded", {
      properties: { customBlocklists: [{ blocklistName: "codenames", blocking: false, source: "Prompt" }] },
    });
    const annotated = (await chat("Project Falcon")) as unknown as Json;
    assert.deepEqual(annotated.prompt_filter_results[0].content_filter_results.custom_blocklists, {
      filtered: false,
      details: [{ filtered: false, id: "codenames" }],
    });

    // Batch writes apply on the next call too.
    const batch = await arm("POST", "/raiBlocklists/codenames/addRaiBlocklistItems", [
      { name: "harrier", properties: { pattern: "harrier" } },
    ]);
    assert.equal(batch.status, 200, JSON.stringify(batch.body));
    const batched = (await chat("a harrier")) as unknown as Json;
    assert.deepEqual(batched.prompt_filter_results[0].content_filter_results.custom_blocklists.details, [
      { filtered: false, id: "codenames" },
    ]);
    assert.equal((await arm("POST", "/raiBlocklists/codenames/deleteRaiBlocklistItems", ["harrier"])).status, 204);
    const unbatched = (await chat("a harrier")) as unknown as Json;
    assert.deepEqual(unbatched.prompt_filter_results[0].content_filter_results.custom_blocklists.details, []);

    // In use: neither the policy nor the blocklist can be deleted.
    assert.equal((await arm("DELETE", "/raiBlocklists/codenames")).body.error.code, "RaiBlocklistInUse");
    assert.equal((await arm("DELETE", "/raiPolicies/guarded")).body.error.code, "RaiPolicyInUse");
    const items = await arm("GET", "/raiBlocklists/codenames/raiBlocklistItems");
    assert.deepEqual(items.body.value.map((i: Json) => [i.name, i.properties]).sort(), [
      ["falcon", { pattern: "Project Falcon", isRegex: false }],
      ["ticket", { pattern: "TKT-[0-9]{4}", isRegex: true }],
    ]);
    assert.equal((await arm("POST", "/raiBlocklists/codenames/deleteRaiBlocklistItems", ["falcon", "ticket"])).status, 204);
    assert.deepEqual((await arm("GET", "/raiBlocklists/codenames/raiBlocklistItems")).body.value, []);
  });

  test("a filtered completion ends with finish_reason content_filter, in a response and in a stream", async () => {
    const policy = await arm("PUT", "/raiPolicies/answers-only", {
      properties: {
        basePolicyName: "Microsoft.DefaultV2",
        contentFilters: [
          { name: "Violence", blocking: false, enabled: true, severityThreshold: "Low", source: "Prompt" },
          { name: "Violence", blocking: true, enabled: true, severityThreshold: "Low", source: "Completion" },
        ],
      },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    await deployEcho("answers-only", "answers-only");
    const client = azureOpenAi("answers-only");
    const completion = (await client.chat.completions.create({
      model: "x",
      messages: [{ role: "user", content: "repeat cf-violence-low please" }],
    })) as unknown as Json;
    assert.deepEqual(completion.prompt_filter_results[0].content_filter_results.violence, { filtered: false, severity: "low" });
    assert.equal(completion.choices[0].finish_reason, "content_filter");
    assert.equal(completion.choices[0].message.content, null);
    assert.deepEqual(completion.choices[0].content_filter_results.violence, { filtered: true, severity: "low" });

    const stream = await client.chat.completions.create({
      model: "x",
      stream: true,
      messages: [{ role: "user", content: "repeat cf-violence-low please" }],
    });
    const chunks: Json[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    assert.equal(last.choices[0].finish_reason, "content_filter");
    assert.deepEqual(last.choices[0].content_filter_results.violence, { filtered: true, severity: "low" });
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    assert.ok(!text.includes("cf-violence-low"), `the filtered text was held back: ${text}`);
  });

  test("keyless rai-blocklist, rai-blocklist item, rai-policy and deployment create --rai-policy-name", async (t) => {
    const cli = await keylessCli(keyless.facts, { signInApp: contributor });
    t.after(() => cli.cleanup());
    const keylessJson = async (...argv: string[]) => {
      const stdout = await cli.ok(...argv);
      return stdout === "" ? undefined : JSON.parse(stdout);
    };
    const at = ["-n", keyless.facts.demo!.account, "-g", keyless.facts.demo!.resourceGroup];
    await keylessJson(
      "cognitiveservices",
      "account",
      "rai-blocklist",
      "create",
      ...at,
      "--blocklist-name",
      "cli-list",
      "--description",
      "cli",
    );
    await keylessJson(
      "cognitiveservices",
      "account",
      "rai-blocklist",
      "item",
      "add",
      ...at,
      "--blocklist-name",
      "cli-list",
      "--item-name",
      "heron",
      "--pattern",
      "Blue Heron",
    );
    await keylessJson(
      "cognitiveservices",
      "account",
      "rai-blocklist",
      "item",
      "add",
      ...at,
      "--blocklist-name",
      "cli-list",
      "--items",
      JSON.stringify([{ name: "ids", properties: { pattern: "HRN-[0-9]+", isRegex: true } }]),
    );
    assert.deepEqual(
      await keylessJson(
        "cognitiveservices",
        "account",
        "rai-blocklist",
        "item",
        "list",
        ...at,
        "--blocklist-name",
        "cli-list",
        "--query",
        "[].name",
      ),
      ["heron", "ids"],
    );
    const policy = await keylessJson(
      "cognitiveservices",
      "account",
      "rai-policy",
      "create",
      ...at,
      "--policy-name",
      "cli-policy",
      "--custom-blocklists",
      JSON.stringify([{ blocklistName: "cli-list", blocking: true, source: "Prompt" }]),
    );
    assert.equal(policy.properties.basePolicyName, "Microsoft.DefaultV2");
    const deployment = await keylessJson(
      "cognitiveservices",
      "account",
      "deployment",
      "create",
      ...at,
      "--deployment-name",
      "cli-filtered",
      "--model-name",
      "keyless-echo",
      "--model-version",
      "1",
      "--model-format",
      "Keyless",
      "--sku-name",
      "Standard",
      "--sku-capacity",
      "10",
      "--rai-policy-name",
      "cli-policy",
    );
    assert.equal(deployment.properties.raiPolicyName, "cli-policy");
    assert.deepEqual(await keylessJson("cognitiveservices", "account", "rai-policy", "list", ...at, "--query", "[].name"), [
      "Microsoft.Default",
      "Microsoft.DefaultV2",
      "answers-only",
      "cli-policy",
      "guarded",
    ]);
    const error = await promptRejection(() =>
      azureOpenAi("cli-filtered").chat.completions.create({ model: "x", messages: [{ role: "user", content: "a blue heron flew" }] }),
    );
    assert.deepEqual(error.innererror.content_filter_result.custom_blocklists.details, [{ filtered: true, id: "cli-list" }]);
    const refused = await cli.run("cognitiveservices", "account", "rai-policy", "delete", ...at, "--policy-name", "cli-policy");
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /RaiPolicyInUse/);
  });

  describe("with az 2.45", { skip: !azureCliInstalled && "azure-cli not installed" }, () => {
    let az: AzureCli;
    before(async () => {
      az = await azureCli(keyless.facts);
      await az.ok(["login", "--service-principal", "-u", contributor.appId, "-p", contributor.secret, "--tenant", keyless.facts.tenantId]);
    });
    after(() => az?.cleanup());

    test("az rest creates a policy; az rest deploys with it (2.45's deployment create has no --rai-policy-name)", async () => {
      const url = (path: string) => `${keyless.facts.url}${accountId}${path}?${API}`;
      const policy = await az.ok([
        "rest",
        "--method",
        "put",
        "--url",
        url("/raiPolicies/az-policy"),
        "--body",
        JSON.stringify({
          properties: {
            basePolicyName: "Microsoft.Default",
            contentFilters: [{ name: "Hate", blocking: true, enabled: true, severityThreshold: "Low", source: "Prompt" }],
          },
        }),
      ]);
      assert.equal(policy.name, "az-policy");
      const deployment = await az.ok([
        "rest",
        "--method",
        "put",
        "--url",
        url("/deployments/az-filtered"),
        "--body",
        JSON.stringify({
          sku: { name: "Standard", capacity: 10 },
          properties: { model: { format: "Keyless", name: "keyless-echo", version: "1" }, raiPolicyName: "az-policy" },
        }),
      ]);
      assert.equal(deployment.properties.raiPolicyName, "az-policy");
      const shown = await az.ok([
        "cognitiveservices",
        "account",
        "deployment",
        "show",
        "-g",
        keyless.facts.demo!.resourceGroup,
        "-n",
        keyless.facts.demo!.account,
        "--deployment-name",
        "az-filtered",
      ]);
      assert.equal(shown.properties.raiPolicyName, "az-policy");
      // The policy's Low threshold (Microsoft.DefaultV2 would let a low-severity prompt pass).
      const error = await promptRejection(() =>
        azureOpenAi("az-filtered").chat.completions.create({ model: "x", messages: [{ role: "user", content: "cf-hate-low" }] }),
      );
      assert.deepEqual(error.innererror.content_filter_result.hate, { filtered: true, severity: "low" });
    });
  });
});
