/**
 * The directory at scale: 100,000 users, 10,000 groups (one of 1,000 members), 100,000 role assignments, seeded
 * straight into storage, then the calls an operator makes timed against the real server: Graph lists (first page,
 * a filter, a whole walk of the users) over HTTP, and the Debian `az` 2.45 (`az ad user list` with a filter,
 * `az ad group member list`, `az role assignment list --all`).
 *
 *   npm run bench:directory                                  # SQLite in a temporary data dir
 *   KEYLESS_BENCH_POSTGRES=postgres://…/db npm run bench:directory   # PostgreSQL (a schema of its own)
 *   node bench/directory.ts --users 20000 …                  # smaller
 *   node bench/directory.ts --skip-az                        # the HTTP calls only
 *
 * The machine is shared (2 cores): figures are comparable within one run only.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { Kysely } from "kysely";
import { loadConfig } from "../src/config/load.ts";
import { startKeyless, startupReport } from "../src/main.ts";
import { openDatabase } from "../src/storage/database.ts";
import type { Tables } from "../src/storage/tables.ts";
import { ensureLocalTls } from "../src/http/tls.ts";
import { ADMIN_PASSWORD, type ReadyFacts, testServerEnv } from "../test/harness/keyless-process.ts";
import { adminCredential, ARM_SCOPE, GRAPH_SCOPE } from "../test/harness/clients.ts";
import { azureCli, azureCliInstalled } from "../test/harness/azure-cli.ts";

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    groups: { type: "string", default: "10000" },
    assignments: { type: "string", default: "100000" },
    "big-group": { type: "string", default: "1000" },
    "skip-full-user-list": { type: "boolean", default: false },
    "skip-az": { type: "boolean", default: false },
  },
});
const USERS = Number(args.users);
const GROUPS = Number(args.groups);
const ASSIGNMENTS = Number(args.assignments);
const BIG_GROUP = Number(args["big-group"]);

// Clients trust our CA only through NODE_EXTRA_CA_CERTS (read at start) and az's REQUESTS_CA_BUNDLE: the bench makes
// a CA and a server certificate, then runs itself again with them trusted.
if (!process.env.KEYLESS_BENCH_TLS_DIR) {
  const dir = mkdtempSync(join(tmpdir(), "keyless-bench-tls-"));
  const tls = await ensureLocalTls(dir, []);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, KEYLESS_BENCH_TLS_DIR: dir, NODE_EXTRA_CA_CERTS: tls.caPath, KEYLESS_TEST_CA: tls.caPath },
  });
  const code = await new Promise<number>((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
const tls = await ensureLocalTls(process.env.KEYLESS_BENCH_TLS_DIR, []);
const dataDir = mkdtempSync(join(tmpdir(), "keyless-bench-dir-"));
const postgres = process.env.KEYLESS_BENCH_POSTGRES;
const schema = `keyless_bench_dir_${process.pid}`;
const storageEnv = postgres ? { KEYLESS_STORAGE: postgres, KEYLESS_STORAGE_SCHEMA: schema } : {};
const env = {
  ...process.env,
  KEYLESS_LOG_LEVEL: "silent",
  ...testServerEnv(dataDir),
  KEYLESS_TLS_CERT: tls.certPath,
  KEYLESS_TLS_KEY: tls.keyPath,
  ...storageEnv,
};

async function start() {
  const config = loadConfig({ env });
  const running = await startKeyless(config);
  const report = startupReport(running, config);
  return { running, facts: JSON.parse(report.slice(report.indexOf("KEYLESS_READY ") + 14)) as ReadyFacts };
}

// An empty server makes the tenant; the scale goes straight into its tables, in batches.
let { running, facts } = await start();
const database = await openDatabase(postgres ?? `sqlite:${join(dataDir, "keyless.db")}`, { schema });
const db = database.db as Kysely<Tables>;
const seedStarted = performance.now();
await seed(db, facts);
await database.close();
await running.close();
({ running, facts } = await start());
const seedSeconds = (performance.now() - seedStarted) / 1000;
process.stdout.write(
  `seeded ${USERS} users, ${GROUPS} groups (one of ${BIG_GROUP} members), ${ASSIGNMENTS} role assignments in ${seedSeconds.toFixed(0)} s on ${postgres ? "PostgreSQL" : "SQLite"}\n`,
);

const admin = adminCredential(facts);
const graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
const armToken = (await admin.getToken(ARM_SCOPE))!.token;
const graph = `${facts.url}/graph/v1.0`;
const rows: [string, string][] = [];
const record = (what: string, figure: string) => {
  rows.push([what, figure]);
  process.stdout.write(`${what}: ${figure}\n`);
};

async function get(url: string, token: string) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { value: unknown[]; "@odata.nextLink"?: string; nextLink?: string };
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Median of `n` timed runs, in ms. */
async function median(n: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await work();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
record("GET /users (first page of 100), median of 9", ms(await median(9, () => get(`${graph}/users`, graphToken))));
record(
  "GET /users?$filter=startswith(displayName,'User 4242') median of 9",
  ms(await median(9, () => get(`${graph}/users?$filter=${encodeURIComponent("startswith(displayName,'User 4242')")}`, graphToken))),
);
record(
  "GET /users?$filter=userPrincipalName eq '…' median of 9",
  ms(
    await median(9, () =>
      get(`${graph}/users?$filter=${encodeURIComponent("userPrincipalName eq 'user-77777@bench.example'")}`, graphToken),
    ),
  ),
);
{
  const t = performance.now();
  let url: string | undefined = `${graph}/users?$top=999`;
  let count = 0;
  let pages = 0;
  while (url) {
    const body = await get(url, graphToken);
    count += body.value.length;
    pages++;
    url = body["@odata.nextLink"];
  }
  record(`every user, $top=999 (${pages} pages, ${count} users)`, `${((performance.now() - t) / 1000).toFixed(2)} s`);
}
const bigGroup = "00000000-0000-4000-9000-000000000000";
record(
  `GET /groups/{id}/members (first page of 100 of ${BIG_GROUP}) median of 9`,
  ms(await median(9, () => get(`${graph}/groups/${bigGroup}/members`, graphToken))),
);
record(
  `GET /groups/{id}/transitiveMembers (${BIG_GROUP}) median of 5`,
  ms(await median(5, () => get(`${graph}/groups/${bigGroup}/transitiveMembers?$top=999`, graphToken))),
);
{
  // What az role assignment list does to name principals: 1,000 ids a request (users, and a missing id).
  const ids = Array.from({ length: 1000 }, (_, i) => `00000000-0000-4000-8000-${((i * 97) % USERS).toString(16).padStart(12, "0")}`);
  record(
    "POST /directoryObjects/getByIds (1,000 ids), median of 5",
    ms(
      await median(5, async () => {
        const response = await fetch(`${graph}/directoryObjects/getByIds`, {
          method: "POST",
          headers: { authorization: `Bearer ${graphToken}`, "content-type": "application/json" },
          body: JSON.stringify({ ids }),
        });
        const body = (await response.json()) as { value: unknown[] };
        if (body.value.length !== 1000) throw new Error(`getByIds: ${response.status} ${body.value.length}`);
      }),
    ),
  );
}
{
  // Adding a group to a group (its loop check) and taking it out again, in a directory of USERS + GROUPS edges.
  const outer = `${graph}/groups/${groupIdOf(3)}`;
  const send = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${graphToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status !== 204) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  };
  record(
    "POST /groups/{id}/members/$ref of a group (loop check) + DELETE, median of 9",
    ms(
      await median(9, async () => {
        await send("POST", `${outer}/members/$ref`, { "@odata.id": `${graph}/directoryObjects/${groupIdOf(2)}` });
        await send("DELETE", `${outer}/members/${groupIdOf(2)}/$ref`);
      }),
    ),
  );
}
const assignmentsUrl = `${facts.url}/subscriptions/${facts.subscriptionId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`;
record("GET …/roleAssignments (first page of 1,000), median of 5", ms(await median(5, () => get(assignmentsUrl, armToken))));
{
  const t = performance.now();
  let url: string | undefined = assignmentsUrl;
  let count = 0;
  while (url) {
    const body = await get(url, armToken);
    count += body.value.length;
    url = body.nextLink;
  }
  record(`every role assignment (${count}) through nextLink`, `${((performance.now() - t) / 1000).toFixed(2)} s`);
}

if (azureCliInstalled && !args["skip-az"]) {
  const az = await azureCli(facts);
  const run = (argv: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile("az", argv, { env: az.env, timeout: 1_800_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
        error ? reject(new Error(`az ${argv.join(" ")}: ${stderr}`)) : resolve(stdout.trim()),
      );
    });
  await run(["login", "-u", facts.adminUsername, "-p", ADMIN_PASSWORD]);
  const timed = async (what: string, argv: string[]) => {
    const t = performance.now();
    const out = await run(argv);
    record(`${what} → ${out}`, `${((performance.now() - t) / 1000).toFixed(2)} s`);
  };
  await timed("az ad user list --filter \"startswith(displayName,'User 4242')\"", [
    "ad",
    "user",
    "list",
    "--filter",
    "startswith(displayName,'User 4242')",
    "--query",
    "length(@)",
  ]);
  await timed(`az ad group member list (${BIG_GROUP} members)`, [
    "ad",
    "group",
    "member",
    "list",
    "--group",
    bigGroup,
    "--query",
    "length(@)",
  ]);
  await timed(`az role assignment list --all (${ASSIGNMENTS + 1})`, ["role", "assignment", "list", "--all", "--query", "length(@)"]);
  // A whole walk at az's page size (100): 1,000 requests at 100,000 users; --skip-full-user-list leaves it out.
  if (!process.argv.includes("--skip-full-user-list"))
    await timed(`az ad user list (all ${USERS + 1}, 100 a page)`, ["ad", "user", "list", "--query", "length(@)"]);
  az.cleanup();
} else {
  process.stdout.write("the az timings are skipped (--skip-az, or azure-cli is not installed)\n");
}

process.stdout.write(`\n${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), shared with other work\n`);
process.stdout.write("| call | time |\n|---|---|\n");
for (const [what, figure] of rows) process.stdout.write(`| ${what} | ${figure} |\n`);
await running.close();
if (postgres) {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: postgres });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}
rmSync(dataDir, { recursive: true, force: true });

function groupIdOf(i: number): string {
  return `00000000-0000-4000-9000-${i.toString(16).padStart(12, "0")}`;
}

/** Users, groups, memberships and assignments in batches of 1,000 rows (what the store's writes would insert). */
async function seed(db: Kysely<Tables>, facts: ReadyFacts): Promise<void> {
  const tenantId = facts.tenantId;
  const at = (i: number) => new Date(Date.parse("2026-01-01T00:00:00Z") + i * 1000).toISOString();
  const userId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
  const groupId = groupIdOf;
  const batches = async <T>(count: number, row: (i: number) => T, insert: (rows: T[]) => Promise<unknown>) => {
    for (let start = 0; start < count; start += 1000) {
      await insert(Array.from({ length: Math.min(1000, count - start) }, (_, k) => row(start + k)));
    }
  };
  await batches(
    USERS,
    (i) => ({
      id: userId(i),
      tenant_id: tenantId,
      user_principal_name: `user-${i}@bench.example`,
      upn_key: `user-${i}@bench.example`,
      display_name: `User ${i}`,
      password_hash: null,
      account_enabled: 1,
      created_at: at(i),
      mail_nickname: null,
    }),
    (rows) => db.insertInto("users").values(rows).execute(),
  );
  await batches(
    GROUPS,
    (i) => ({
      id: groupId(i),
      tenant_id: tenantId,
      display_name: `Group ${i}`,
      mail_nickname: `group-${i}`,
      description: null,
      security_enabled: 1,
      mail_enabled: 0,
      created_at: at(i),
    }),
    (rows) => db.insertInto("groups").values(rows).execute(),
  );
  // Group 0 holds BIG_GROUP users; every user is also in one of the other groups (about 10 members each).
  await batches(
    BIG_GROUP,
    (i) => ({ group_id: groupId(0), member_id: userId(i), member_type: "user", added_at: at(i) }),
    (rows) => db.insertInto("group_members").values(rows).execute(),
  );
  await batches(
    USERS,
    (i) => ({ group_id: groupId(1 + (i % (GROUPS - 1))), member_id: userId(i), member_type: "user", added_at: at(i) }),
    (rows) => db.insertInto("group_members").values(rows).execute(),
  );
  const owner = await db.selectFrom("role_assignments").selectAll().where("tenant_id", "=", tenantId).executeTakeFirstOrThrow();
  const sub = `/subscriptions/${facts.subscriptionId}`;
  await batches(
    ASSIGNMENTS,
    (i) => {
      const scope = i % 2 === 0 ? sub : `${sub}/resourceGroups/${facts.demo?.resourceGroup ?? "rg"}`;
      return {
        ...owner,
        id: `00000000-0000-4000-a000-${i.toString(16).padStart(12, "0")}`,
        scope,
        scope_key: scope.toLowerCase(),
        principal_id: i % 10 === 0 ? groupId((i / 10) % GROUPS) : userId(i % USERS),
        principal_type: i % 10 === 0 ? "Group" : "User",
        created_on: at(i),
        updated_on: at(i),
      };
    },
    (rows) => db.insertInto("role_assignments").values(rows).execute(),
  );
}
