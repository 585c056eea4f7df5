import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AzureCli, azureCli, azureCliInstalled } from "../harness/azure-cli.ts";
import { type KeylessCli, keylessCli } from "../harness/cli.ts";
import {
  ARM_SCOPE,
  type App,
  adminTokens,
  appCredential,
  COGNITIVE_SCOPE,
  call,
  demoAccountApp,
  demoAccountId,
  registerApp,
} from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

/** The call log read through ARM (calls, callUsage) and Azure Monitor metrics computed from it, after known traffic. */
describe("call log api", () => {
  const keyless = useKeyless();
  let accountId: string;
  let caller: App;
  let reader: App;
  let outsider: App;
  const tokens = { echo: 0, embed: 0 };
  const armUrl = (path: string, query = "api-version=2023-05-01") => `${keyless.facts.url}${accountId}${path}?${query}`;
  const tokenOf = async (app: App, scope: string) => (await appCredential(keyless.facts, app.appId, app.secret).getToken(scope))!.token;

  before(async () => {
    const { facts } = keyless;
    const admin = await adminTokens(facts);
    [caller, reader, outsider] = await Promise.all([
      demoAccountApp(facts, "calls-caller", { tokens: admin }),
      demoAccountApp(facts, "calls-reader", { tokens: admin, role: RoleIds.reader }),
      registerApp(facts, admin.graph, "calls-outsider"),
    ]);
    accountId = demoAccountId(facts);
    // Known traffic: three chats and one embeddings call by `caller`, one refused call by `outsider`.
    const endpoint = `${facts.url}/accounts/${facts.demo!.account}/openai/v1`;
    const callerToken = await tokenOf(caller, COGNITIVE_SCOPE);
    for (const content of ["one", "two words", "three small words"]) {
      const chat = await call("POST", `${endpoint}/chat/completions`, callerToken, {
        model: "echo",
        messages: [{ role: "user", content }],
      });
      assert.equal(chat.status, 200, JSON.stringify(chat.body));
      tokens.echo += chat.body.usage.total_tokens;
    }
    const embed = await call("POST", `${endpoint}/embeddings`, callerToken, { model: "embed", input: "a passage" });
    assert.equal(embed.status, 200, JSON.stringify(embed.body));
    tokens.embed += embed.body.usage.total_tokens;
    const refused = await call("POST", `${endpoint}/chat/completions`, await tokenOf(outsider, COGNITIVE_SCOPE), {
      model: "echo",
      messages: [{ role: "user", content: "no" }],
    });
    assert.equal(refused.status, 401);
  });

  describe("the call log through ARM", () => {
    test("a Reader lists the account's calls, newest first, filtered by principal, decision and status", async () => {
      const token = await tokenOf(reader, ARM_SCOPE);
      const all = await call("GET", armUrl("/calls"), token);
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.equal(all.body.value.length, 5);
      const times = all.body.value.map((c: { properties: { time: string } }) => c.properties.time);
      assert.deepEqual(times, [...times].sort().reverse());
      const first = all.body.value.at(-1);
      assert.equal(first.type, "Microsoft.CognitiveServices/accounts/calls");
      assert.equal(first.id, `${accountId}/calls/${first.name}`);
      assert.equal(first.properties.principalId, caller.objectId);
      assert.equal(first.properties.decision, "allowed");
      assert.equal(first.properties.deployment, "echo");

      const mine = await call("GET", armUrl("/calls", `api-version=2023-05-01&principalId=${caller.objectId}`), token);
      assert.equal(mine.body.value.length, 4);
      const denied = await call("GET", armUrl("/calls", "api-version=2023-05-01&decision=denied"), token);
      assert.deepEqual(
        denied.body.value.map((c: { properties: { principalId: string; status: number } }) => [
          c.properties.principalId,
          c.properties.status,
        ]),
        [[outsider.objectId, 401]],
      );
      const embeds = await call("GET", armUrl("/calls", "api-version=2023-05-01&deployment=embed&status=200"), token);
      assert.equal(embeds.body.value.length, 1);
      const future = await call(
        "GET",
        armUrl("/calls", `api-version=2023-05-01&startTime=${new Date(Date.now() + 60_000).toISOString()}`),
        token,
      );
      assert.deepEqual(future.body.value, []);
    });

    test("pages follow nextLink without repeats or gaps", async () => {
      const token = await tokenOf(reader, ARM_SCOPE);
      const seen: string[] = [];
      let url: string | undefined = armUrl("/calls", "api-version=2023-05-01&$top=2");
      while (url) {
        const page: { status: number; body: { value: { name: string }[]; nextLink?: string } } = await call("GET", url, token);
        assert.equal(page.status, 200, JSON.stringify(page.body));
        assert.ok(page.body.value.length <= 2);
        seen.push(...page.body.value.map((c) => c.name));
        url = page.body.nextLink;
      }
      assert.equal(seen.length, 5);
      assert.equal(new Set(seen).size, 5);
    });

    test("the handler's own page is final: the surface's generic paging does not slice it again", async () => {
      // `$top=1e1` is ten to the handler (Number) and one to the generic pager (parseInt): sliced again, the page held
      // one call and a generic nextLink whose position the handler refuses as a skip token.
      const token = await tokenOf(reader, ARM_SCOPE);
      const page = await call("GET", armUrl("/calls", "api-version=2023-05-01&$top=1e1"), token);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.equal(page.body.value.length, 5);
      assert.equal(page.body.nextLink, undefined);
    });

    test("bad filters are 400 BadRequest; a caller without a role on the account is 403 AuthorizationFailed", async () => {
      const token = await tokenOf(reader, ARM_SCOPE);
      const bad = await call("GET", armUrl("/calls", "api-version=2023-05-01&startTime=yesterday"), token);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "BadRequest");
      assert.match(bad.body.error.message, /startTime 'yesterday' is not an ISO 8601 time/);
      const badToken = await call("GET", armUrl("/calls", "api-version=2023-05-01&$skiptoken=garbage"), token);
      assert.equal(badToken.body.error.code, "InvalidSkipToken");
      const outside = await call("GET", armUrl("/calls"), await tokenOf(outsider, ARM_SCOPE));
      assert.equal(outside.status, 403);
      assert.equal(outside.body.error.code, "AuthorizationFailed");
    });

    test("callUsage sums calls and tokens per day, principal and deployment", async () => {
      const usage = await call("GET", armUrl("/callUsage"), await tokenOf(reader, ARM_SCOPE));
      assert.equal(usage.status, 200, JSON.stringify(usage.body));
      // Summed over days, so traffic that straddles midnight UTC still adds up.
      const row = (principalId: string, deployment: string) => {
        const rows = usage.body.value.filter(
          (r: { principalId: string; deployment: string }) => r.principalId === principalId && r.deployment === deployment,
        );
        assert.ok(rows.every((r: { day: string }) => /^\d{4}-\d\d-\d\d$/.test(r.day)));
        const sum = (field: string) => rows.reduce((n: number, r: Record<string, number>) => n + r[field]!, 0);
        return {
          calls: sum("calls"),
          promptTokens: sum("promptTokens"),
          completionTokens: sum("completionTokens"),
          totalTokens: sum("totalTokens"),
        };
      };
      const echo = row(caller.objectId, "echo");
      assert.deepEqual([echo.calls, echo.totalTokens, echo.promptTokens + echo.completionTokens], [3, tokens.echo, tokens.echo]);
      assert.equal(row(caller.objectId, "embed").totalTokens, tokens.embed);
      assert.equal(row(outsider.objectId, "").calls, 1);
    });
  });

  describe("Azure Monitor metrics with the Debian az 2.45", {
    skip: !azureCliInstalled && "the Debian azure-cli package is not installed",
  }, () => {
    let az: AzureCli;
    before(async () => {
      az = await azureCli(keyless.facts);
      await az.ok(["login", "--service-principal", "-u", reader.appId, "-p", reader.secret, "--tenant", keyless.facts.tenantId]);
    });
    after(() => az?.cleanup());

    const sum = (result: { value: { timeseries: { data: { total?: number }[] }[] }[] }) =>
      result.value[0]!.timeseries.flatMap((s) => s.data).reduce((n, d) => n + (d.total ?? 0), 0);

    test("az monitor metrics list --metric TotalTokens --interval PT1M totals the account's tokens", async () => {
      const result = await az.ok(["monitor", "metrics", "list", "--resource", accountId, "--metric", "TotalTokens", "--interval", "PT1M"]);
      assert.equal(result.value[0].name.value, "TotalTokens");
      assert.equal(result.interval, "0:01:00", "az prints the PT1M interval it parsed as a timedelta");
      assert.equal(result.value[0].timeseries.length, 1);
      assert.ok(result.value[0].timeseries[0].data.length >= 60, "an hour of one-minute points");
      assert.equal(sum(result), tokens.echo + tokens.embed);
    });

    test("--filter ModelDeploymentName splits by deployment; ModelRequests counts calls", async () => {
      const echo = await az.ok([
        "monitor",
        "metrics",
        "list",
        "--resource",
        accountId,
        "--metric",
        "TotalTokens",
        "--interval",
        "PT5M",
        "--filter",
        "ModelDeploymentName eq 'echo'",
      ]);
      assert.equal(echo.value[0].timeseries[0].metadatavalues[0].value, "echo");
      assert.equal(sum(echo), tokens.echo);
      const requests = await az.ok([
        "monitor",
        "metrics",
        "list",
        "--resource",
        accountId,
        "--metric",
        "ModelRequests",
        "--aggregation",
        "Total",
        "Count",
        "--filter",
        "ModelDeploymentName eq '*'",
      ]);
      const byDeployment = Object.fromEntries(
        requests.value[0].timeseries.map((s: { metadatavalues: { value: string }[]; data: { total: number }[] }) => [
          s.metadatavalues[0]!.value,
          s.data.reduce((n, d) => n + d.total, 0),
        ]),
      );
      assert.deepEqual(byDeployment, { echo: 3, embed: 1 });
    });

    test("az monitor metrics list-definitions names Azure's metrics", async () => {
      const definitions = await az.ok(["monitor", "metrics", "list-definitions", "--resource", accountId]);
      assert.deepEqual(
        definitions.map((d: { name: { value: string } }) => d.name.value),
        ["ModelRequests", "InputTokens", "OutputTokens", "TotalTokens", "ProcessedPromptTokens", "GeneratedTokens", "TimeToResponse"],
      );
    });
  });

  describe("keyless audit calls and keyless usage", () => {
    let cli: KeylessCli;
    const keylessOk = (...argv: string[]) => cli.ok(...argv);
    const account = () => ["-n", keyless.facts.demo!.account, "-g", keyless.facts.demo!.resourceGroup];
    before(async () => {
      cli = await keylessCli(keyless.facts, { signInApp: reader });
    });
    after(() => cli?.cleanup());

    test("usage matches the calls made, as json and csv", async () => {
      const rows = JSON.parse(await keylessOk("usage", ...account()));
      const echo = rows.filter(
        (r: { principalId: string; deployment: string }) => r.principalId === caller.objectId && r.deployment === "echo",
      );
      assert.equal(
        echo.reduce((n: number, r: { calls: number }) => n + r.calls, 0),
        3,
      );
      assert.equal(
        echo.reduce((n: number, r: { totalTokens: number }) => n + r.totalTokens, 0),
        tokens.echo,
      );
      const csv = (await keylessOk("usage", ...account(), "--principal", caller.objectId, "-o", "csv")).trim().split("\r\n");
      assert.equal(csv[0], "day,principalId,deployment,calls,promptTokens,completionTokens,totalTokens");
      assert.deepEqual([...new Set(csv.slice(1).map((line) => line.split(",")[2]))].sort(), ["echo", "embed"]);
      assert.ok(csv.some((line) => line.endsWith(`,embed,1,${tokens.embed},0,${tokens.embed}`)));
    });

    test("audit calls filters and exports JSON lines", async () => {
      const lines = (await keylessOk("audit", "calls", ...account(), "--decision", "denied", "-o", "jsonl")).trim().split("\n");
      assert.equal(lines.length, 1);
      const denied = JSON.parse(lines[0]!);
      assert.equal(denied.principalId, outsider.objectId);
      assert.equal(denied.status, 401);
      const table = await keylessOk("audit", "calls", ...account(), "--deployment", "echo", "-o", "table");
      assert.equal(table.trim().split("\n").length, 2 + 3, "header, rule and the three echo calls");
    });
  });
});
