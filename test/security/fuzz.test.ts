import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { adminCredential, GRAPH_SCOPE } from "../harness/clients.ts";
import { type DataPlaneWorld, startDataPlaneWorld } from "../harness/data-plane-world.ts";
import { type RawResponse, rawRequest } from "../harness/raw-request.ts";

/**
 * Threat: a request nobody thought of crashes, stalls or corrupts the service. Generated bodies, query strings and
 * headers go to every surface of a real started server; each answer must be a non-5xx (save a declared backend
 * failure) in the surface's own error shape, a refused request must change nothing, and the process must stay
 * up with bounded memory. `npm test` runs a few seconds per surface; `npm run fuzz` runs long
 * (KEYLESS_FUZZ_SECONDS per surface, KEYLESS_FUZZ_SEED to replay a failure fast-check reported).
 */

const SECONDS = Number(process.env.KEYLESS_FUZZ_SECONDS ?? 3);
// The bounded sample in `npm test` replays one fixed seed (the same inputs on every machine, so CI is repeatable);
// a long run (`npm run fuzz`) draws a new seed each time unless one is given.
const SEED =
  process.env.KEYLESS_FUZZ_SEED !== undefined
    ? Number(process.env.KEYLESS_FUZZ_SEED)
    : process.env.KEYLESS_FUZZ_SECONDS === undefined
      ? 20261203
      : undefined;
const RUN = {
  numRuns: 1_000_000,
  interruptAfterTimeLimit: SECONDS * 1000,
  markInterruptAsFailure: false,
  ...(SEED === undefined ? {} : { seed: SEED }),
};
/** State a refused request must never change (the activity log may gain the record of the refused ARM write). */
const STATE_TABLES = [
  "tenants",
  "users",
  "groups",
  "group_members",
  "group_owners",
  "applications",
  "service_principals",
  "password_credentials",
  "directory_role_members",
  "subscriptions",
  "resources",
  "role_assignments",
  "role_definitions",
  "deny_assignments",
  "account_keys",
  "key_credentials",
  "federated_credentials",
  "managed_identities",
];
/** Data-plane 5xx answers that say "the backend failed", which a caller can act on (retry), as Azure's do. */
const DECLARED_BACKEND_FAILURES = new Set(["BackendUnavailable", "BackendTimeout"]);
/** Codes of the envelope shared by every surface, for requests no surface serves. */
const OUTSIDE_SURFACES = new Set(["NotFound", "BadRequest", "UriTooLong", "RequestHeaderFieldsTooLarge"]);
const MAX_RSS_GROWTH = 256 * 1024 * 1024;

// Inputs: text of every kind, JSON of every shape (deep, huge, odd), and the fields each surface reads.
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", "null", "[]", "{}", "%", "%zz", "'", "\u0000", "../../etc", "a".repeat(5000), "😀".repeat(300), "1e999", "-0"),
);
const deepJson = fc.integer({ min: 1, max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);
const anyJson = fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v) ?? "null");
const headerValue = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,120}$/);
const extraHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue, { maxKeys: 4 });
const commonHeaders = fc.record(
  {
    "content-type": fc.constantFrom(
      "application/json",
      "application/x-www-form-urlencoded",
      "text/plain",
      "application/json; charset=latin1",
      "multipart/form-data",
      "application/xml",
    ),
    "x-ms-client-request-id": fc.oneof(headerValue, fc.uuid()),
    "client-request-id": headerValue,
    "api-key": headerValue,
    metadata: fc.constantFrom("true", "false", "True", ""),
    "x-identity-header": headerValue,
  },
  { requiredKeys: ["content-type"] },
);
const query = fc.dictionary(
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("api-version", "$filter", "$top", "$select", "$skiptoken", "$count", "resource", "client_id"),
  ),
  text,
  { maxKeys: 4 },
);
const apiVersion = fc.oneof(
  fc.constantFrom("2024-05-01-preview", "2024-10-21", "2022-12-01", "2023-05-01", "2022-04-01", "2023-01-31"),
  text,
);

function withQuery(path: string, params: Record<string, string>): string {
  const search = new URLSearchParams(params).toString();
  return search === "" ? path : `${path}?${search}`;
}

function json(response: RawResponse): unknown {
  try {
    return JSON.parse(response.text);
  } catch {
    return undefined;
  }
}

describe("fuzzing every surface: no 5xx, the surface's error shape, refused requests change nothing, the process survives", () => {
  let world: DataPlaneWorld;
  let graphToken: string;
  let db: DatabaseSync;
  let rssAtStart = 0;
  const base = () => world.keyless.facts.url;
  const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${world.keyless.pid}/status`, "utf8"))![1]) * 1024;
  const counts = () => STATE_TABLES.map((t) => Number((db.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n));
  const activityCount = () => Number((db.prepare("select count(*) as n from activity_log").get() as { n: number }).n);

  before(async () => {
    world = await startDataPlaneWorld();
    graphToken = (await adminCredential(world.keyless.facts).getToken(GRAPH_SCOPE))!.token;
    db = new DatabaseSync(join(world.keyless.dataDir, "keyless.db"), { readOnly: true });
    rssAtStart = rss();
  });
  after(async () => {
    db?.close();
    await world?.stop();
  });

  /** Sends one generated request and checks what every surface owes: status, shape, nothing written on refusal. */
  async function probe(
    surface: "oauth" | "arm" | "graph" | "data",
    request: { method: string; url: string; headers: Record<string, string>; body?: string },
  ): Promise<void> {
    const before = counts();
    const activityBefore = activityCount();
    const response = await rawRequest(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    const body = json(response) as { error?: unknown; error_description?: unknown } | undefined;
    const where = `${request.method} ${request.url.slice(0, 200)} → ${response.status} ${response.text.slice(0, 300)}`;
    if (response.status >= 500) {
      const code = (body?.error as { code?: string } | undefined)?.code;
      assert.ok(surface === "data" && code !== undefined && DECLARED_BACKEND_FAILURES.has(code), `undeclared 5xx: ${where}`);
    }
    if (response.status >= 400) {
      const shared = body?.error as { code?: unknown; message?: unknown } | undefined;
      // A path no surface serves (after normalisation) is answered outside every surface, in the shared envelope.
      const outsideSurfaces = typeof shared?.code === "string" && OUTSIDE_SURFACES.has(shared.code) && typeof shared.message === "string";
      if (surface === "oauth" && !outsideSurfaces) {
        assert.equal(typeof body?.error, "string", `OAuth error shape: ${where}`);
        assert.equal(typeof body?.error_description, "string", `OAuth error shape: ${where}`);
      } else {
        assert.equal(typeof shared?.code, "string", `{error:{code,message}} shape: ${where}`);
        assert.equal(typeof shared?.message, "string", `{error:{code,message}} shape: ${where}`);
      }
      assert.deepEqual(counts(), before, `a refused request changed state: ${where}`);
      assert.ok(activityCount() - activityBefore <= (surface === "arm" ? 1 : 0), `activity log grew: ${where}`);
    }
  }

  test("token service and managed-identity endpoints", async () => {
    const tenant = fc.oneof(
      fc.constantFrom(world.keyless.facts.tenantId, "adfs", "common", "organizations"),
      fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/),
    );
    const form = fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          "grant_type",
          "client_id",
          "client_secret",
          "scope",
          "resource",
          "username",
          "password",
          "refresh_token",
          "code",
          "device_code",
          "client_assertion",
          "client_assertion_type",
          "code_verifier",
          "redirect_uri",
        ),
        fc.string({ maxLength: 10 }),
      ),
      fc.oneof(
        text,
        fc.constantFrom(
          "client_credentials",
          "password",
          "refresh_token",
          "authorization_code",
          "urn:ietf:params:oauth:grant-type:device_code",
          "urn:ietf:params:oauth:grant-type:jwt-bearer",
        ),
      ),
      { maxKeys: 6 },
    );
    const body = fc.oneof(
      form.map((f) => new URLSearchParams(f).toString()),
      anyJson,
      text,
      deepJson,
    );
    const path = fc.oneof(
      tenant.map((t) => `/${t}/oauth2/v2.0/token`),
      tenant.map((t) => `/${t}/oauth2/token`),
      tenant.map((t) => `/${t}/oauth2/v2.0/devicecode`),
      text.map((s) => `/managed-identity/${encodeURIComponent(s)}/msi/token`),
    );
    await fc.assert(
      fc.asyncProperty(path, query, body, commonHeaders, extraHeaders, async (p, q, b, h, x) => {
        await probe("oauth", { method: "POST", url: `${base()}${withQuery(p, q)}`, headers: { ...x, ...h }, body: b });
      }),
      RUN,
    );
    await fc.assert(
      fc.asyncProperty(query, commonHeaders, async (q, h) => {
        await probe("oauth", { method: "GET", url: `${base()}${withQuery("/managed-identity/app-service", q)}`, headers: h });
      }),
      { ...RUN, interruptAfterTimeLimit: RUN.interruptAfterTimeLimit / 3 },
    );
  });

  test("Microsoft Graph", async () => {
    const filter = fc.oneof(
      text,
      fc.stringMatching(/^[()a-zA-Z' ,/:]{0,200}$/),
      fc.integer({ min: 1, max: 3000 }).map((n) => `${"(".repeat(n)}displayName eq 'x'${")".repeat(n)}`),
      fc
        .array(
          fc.constantFrom(
            "displayName eq 'a'",
            "not",
            "and",
            "or",
            "(",
            ")",
            "startswith(displayName,'a')",
            "id in ('a','b')",
            "x/any(c:c eq 'v')",
          ),
          { maxLength: 30 },
        )
        .map((parts) => parts.join(" ")),
    );
    const collection = fc.constantFrom(
      "users",
      "groups",
      "applications",
      "servicePrincipals",
      "me",
      "directoryObjects/getByIds",
      "groups/x/members",
      "nonsense",
    );
    const graphQuery = fc.record({ $filter: filter, $top: text, $select: text, $skiptoken: text }, { requiredKeys: [] });
    const auth = fc.oneof(fc.constant(`Bearer ${graphToken}`), headerValue);
    await fc.assert(
      fc.asyncProperty(collection, graphQuery, query, auth, extraHeaders, async (c, gq, q, a, x) => {
        await probe("graph", {
          method: "GET",
          url: `${base()}${withQuery(`/graph/v1.0/${c}`, { ...q, ...gq })}`,
          headers: { ...x, authorization: a },
        });
      }),
      RUN,
    );
    const writable = fc.constantFrom(
      "users",
      "groups",
      "applications",
      "servicePrincipals",
      "groups/x/members/$ref",
      "applications/x/addPassword",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("POST", "PATCH", "DELETE"),
        writable,
        fc.oneof(anyJson, deepJson, text),
        commonHeaders,
        async (m, c, b, h) => {
          await probe("graph", {
            method: m,
            url: `${base()}/graph/v1.0/${c}`,
            headers: { ...h, authorization: `Bearer ${graphToken}` },
            body: b,
          });
        },
      ),
      RUN,
    );
  });

  test("Azure Resource Manager", async () => {
    const { subscriptionId, demo } = world.keyless.facts;
    const segment = fc.oneof(fc.stringMatching(/^[a-zA-Z0-9._()-]{1,30}$/), text.map(encodeURIComponent));
    const sub = `/subscriptions/${subscriptionId}`;
    const path = fc.oneof(
      segment.map((s) => `${sub}/resourceGroups/fuzz-${s}`),
      segment.map((s) => `${sub}/resourceGroups/${demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/fuzz-${s}`),
      segment.map(
        (s) =>
          `${sub}/resourceGroups/${demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${demo!.account}/deployments/fuzz-${s}`,
      ),
      fc.oneof(fc.uuid(), segment).map((s) => `${sub}/providers/Microsoft.Authorization/roleAssignments/${s}`),
      fc.oneof(fc.uuid(), segment).map((s) => `${sub}/providers/Microsoft.Authorization/roleDefinitions/${s}`),
      segment.map(
        (s) => `${sub}/resourceGroups/${demo!.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/fuzz-${s}`,
      ),
      segment.map((s) => `/subscriptions/${s}/resourceGroups`),
      fc.array(segment, { maxLength: 8 }).map((parts) => `/${parts.join("/")}`),
    );
    const body = fc.oneof(
      anyJson,
      deepJson,
      text,
      fc
        .record(
          {
            location: text,
            properties: fc.jsonValue({ maxDepth: 4 }),
            sku: fc.jsonValue({ maxDepth: 2 }),
            tags: fc.jsonValue({ maxDepth: 2 }),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "PUT", "PATCH", "POST", "DELETE"),
        path,
        apiVersion,
        body,
        commonHeaders,
        extraHeaders,
        async (m, p, v, b, h, x) => {
          const url = `${base()}${withQuery(p, { "api-version": v })}`;
          await probe("arm", {
            method: m,
            url,
            headers: { ...x, ...h, authorization: `Bearer ${world.armToken}` },
            ...(m === "GET" || m === "DELETE" ? {} : { body: b }),
          });
        },
      ),
      RUN,
    );
  });

  test("data plane", async () => {
    const account = world.account;
    const message = fc.oneof(
      fc.constant(null),
      fc.record(
        {
          role: fc.oneof(fc.constantFrom("user", "system", "assistant", "tool", "developer"), text),
          content: fc.oneof(
            text,
            fc.constant(null),
            fc.integer(),
            fc.array(
              fc.oneof(
                fc.constant(null),
                fc.record({ type: fc.constantFrom("text", "image_url", "x"), text: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
              ),
              { maxLength: 4 },
            ),
          ),
          tool_calls: fc.oneof(fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 })),
        },
        { requiredKeys: [] },
      ),
    );
    const chat = fc
      .record(
        {
          model: fc.oneof(fc.constantFrom("echo", "embed"), text),
          messages: fc.oneof(fc.array(message, { maxLength: 6 }), fc.jsonValue({ maxDepth: 3 })),
          max_tokens: fc.oneof(fc.integer(), text, fc.constant(null)),
          temperature: fc.oneof(fc.double(), text),
          stream: fc.oneof(fc.boolean(), text),
          tools: fc.jsonValue({ maxDepth: 5 }),
          input: fc.oneof(
            text,
            fc.array(text, { maxLength: 10 }),
            fc.array(fc.integer(), { maxLength: 10 }),
            fc.jsonValue({ maxDepth: 3 }),
          ),
          dimensions: fc.oneof(fc.integer(), text),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v));
    const path = fc.constantFrom(
      `/accounts/${account}/models/chat/completions`,
      `/accounts/${account}/models/embeddings`,
      `/accounts/${account}/openai/deployments/echo/chat/completions`,
      `/accounts/${account}/openai/deployments/embed/embeddings`,
      `/accounts/${account}/openai/deployments/echo/completions`,
      `/accounts/${account}/openai/v1/chat/completions`,
      `/accounts/no-such-account/models/chat/completions`,
    );
    const auth = fc.oneof(fc.constant(`Bearer ${world.token}`), fc.constant(`Bearer ${world.armToken}`), headerValue);
    await fc.assert(
      fc.asyncProperty(
        path,
        apiVersion,
        fc.oneof(chat, anyJson, deepJson, text),
        auth,
        commonHeaders,
        extraHeaders,
        async (p, v, b, a, h, x) => {
          await probe("data", {
            method: "POST",
            url: `${base()}${withQuery(p, { "api-version": v })}`,
            headers: { ...x, ...h, authorization: a },
            body: b,
          });
        },
      ),
      RUN,
    );
  });

  test("after all of it the process answers and its memory stayed bounded", async () => {
    assert.equal((await rawRequest(`${base()}/healthz`)).status, 200);
    const growth = rss() - rssAtStart;
    assert.ok(growth < MAX_RSS_GROWTH, `resident memory grew by ${Math.round(growth / 1048576)} MB`);
  });
});
