import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CompiledQuery, sql } from "kysely";
import { listRoleAssignments } from "../../src/arm/role-assignment-list.ts";
import type { RoleAssignmentDeps } from "../../src/arm/role-assignments.ts";
import { scopeRelation } from "../../src/core/scope.ts";
import { createSealedBox } from "../../src/core/sealed-box.ts";
import { createDirectory, type Directory } from "../../src/directory/directory.ts";
import { filterFields, groupJson, sqlFilterFields, userJson } from "../../src/graph/graph-objects.ts";
import { collectionResponse, pagedCollectionResponse } from "../../src/graph/odata-query.ts";
import type { Database } from "../../src/storage/database.ts";
import { DIRECTORY_LIST_FIELDS, prefixEnd, whereCondition } from "../../src/storage/directory-lists.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

const clock = { now: () => Date.parse("2026-01-01T00:00:00Z") };

/** Follows nextLink to the end; the ids in order, and how many pages. */
async function walk(respond: (query: Record<string, string>) => Promise<Record<string, unknown>>, query: Record<string, string>) {
  const ids: string[] = [];
  let pages = 0;
  let current: Record<string, string> | undefined = query;
  while (current) {
    const body = await respond(current);
    ids.push(...(body.value as { id: string }[]).map((v) => v.id));
    pages++;
    const next = body["@odata.nextLink"] as string | undefined;
    current = next ? Object.fromEntries(new URL(next).searchParams) : undefined;
  }
  return { ids, pages };
}

const FILTERS = [
  undefined,
  "displayName eq 'user 7'",
  "displayName eq 'USER 7'",
  "startswith(displayName,'user 1')",
  "startswith(displayName,'50%')",
  "startswith(displayName,'a_b')",
  "startswith(userPrincipalName,'U-1')",
  "accountEnabled eq false",
  "accountEnabled eq true and startswith(displayName,'user')",
  "not (accountEnabled eq true) or displayName eq 'odd one'",
  "displayName ne 'user 3'",
  "id in ('00000000-0000-4000-8000-000000000003','00000000-0000-4000-8000-00000000000A')",
  "mail eq null",
  "mail eq 'x@y'",
  "displayName eq null",
  "accountEnabled eq 'true'",
  "displayName eq 'Ärger'",
  "startswith(mailNickname,'u-2')", // not evaluated in SQL for users: from memory
];

test("prefixEnd: the least string above every string with the prefix, in code-point order", () => {
  assert.equal(prefixEnd("ab"), "ac");
  assert.equal(prefixEnd("user 1"), "user 2");
  assert.equal(prefixEnd("a\u{10FFFF}"), "b");
  assert.equal(prefixEnd("a\uD7FF"), "a\uE000");
  assert.equal(prefixEnd("\u{10FFFF}"), undefined);
  assert.equal(prefixEnd("x😀"), "x😁");
});

for (const dialect of dialects) {
  describe(`directory lists paged in SQL on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    let directory: Directory;
    let tenantId: string;
    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      directory = createDirectory(store.directory, clock, createSealedBox(Buffer.alloc(32, 3)).lookupDigest);
      tenantId = (await directory.createTenant("T", `lists-${dialect}.example`)).id;
      // Past the ASCII prefix of a startswith: accents, a character outside the BMP, the last code point.
      const names = ["50% off", "50x off", "a_b", "axb", "odd one", "Ärger", "ärger", "User 1é", "user 1😀", "USER 1\u{10FFFF}x"];
      for (let i = 0; i < 45; i++) {
        await store.directory.insertUser({
          id: `00000000-0000-4000-8000-${i.toString(16).toUpperCase().padStart(12, "0")}`.toLowerCase(),
          tenantId,
          userPrincipalName: `U-${i}@lists.example`,
          displayName: i < names.length ? names[i]! : `User ${i}`,
          passwordHash: null,
          accountEnabled: i % 4 !== 0,
          // Runs of equal creation times: the keyset continues on the id.
          createdAt: `2026-01-01T00:00:${String(Math.floor(i / 4)).padStart(2, "0")}.000Z`,
          mailNickname: i % 5 === 0 ? `custom-${i}` : null,
        });
      }
      for (let i = 0; i < 12; i++)
        await directory.createGroup(tenantId, { displayName: i % 2 ? `Team ${i}` : `team_${i}`, mailNickname: `team${i}` });
    });
    after(() => database.close());

    const request = (query: Record<string, string>, fields: typeof filterFields.users | typeof filterFields.groups) => ({
      url: "https://h/graph/v1.0/x",
      context: "ctx",
      query,
      filterFields: fields,
    });

    test("users: every filter and page size gives what the in-memory path gives, a page at a time from SQL", async () => {
      for (const filter of FILTERS) {
        for (const top of [1, 7, 100]) {
          const query: Record<string, string> = { $top: String(top), ...(filter ? { $filter: filter } : {}) };
          let fallbacks = 0;
          const source = {
            sqlFields: sqlFilterFields.users,
            page: (q: Parameters<Directory["listUsersPage"]>[1]) => directory.listUsersPage(tenantId, q),
            all: () => {
              fallbacks++;
              return directory.listUsers(tenantId);
            },
            toJson: userJson,
          };
          const paged = await walk((q) => pagedCollectionResponse(source, request(q, filterFields.users)), query);
          const all = (await directory.listUsers(tenantId)).map(userJson);
          const expected = await walk(async (q) => collectionResponse(all, request(q, filterFields.users)), query);
          assert.deepEqual(paged.ids, expected.ids, `${filter} with $top=${top}`);
          assert.equal(paged.pages, expected.pages, `${filter} with $top=${top}: pages`);
          const fromMemory = filter !== undefined && /Ärger|mailNickname/.test(filter);
          assert.equal(fallbacks > 0, fromMemory, `${filter}: served ${fromMemory ? "from memory" : "from SQL"}`);
        }
      }
    });

    test("groups: filters and paging match the in-memory path", async () => {
      for (const filter of [
        undefined,
        "startswith(displayName,'team_')",
        "displayName eq 'TEAM 3'",
        "mailNickname eq 'team4'",
        "securityEnabled eq true and not (mailEnabled eq true)",
      ]) {
        const query: Record<string, string> = { $top: "5", ...(filter ? { $filter: filter } : {}) };
        const source = {
          sqlFields: sqlFilterFields.groups,
          page: (q: Parameters<Directory["listGroupsPage"]>[1]) => directory.listGroupsPage(tenantId, q),
          all: () => assert.fail("a filter storage evaluates is not served from memory"),
          toJson: groupJson,
        };
        const paged = await walk((q) => pagedCollectionResponse(source, request(q, filterFields.groups)), query);
        const all = (await directory.listGroups(tenantId)).map(groupJson);
        assert.deepEqual(paged.ids, (await walk(async (q) => collectionResponse(all, request(q, filterFields.groups)), query)).ids, filter);
      }
    });

    test("startswith(displayName) is a range an index serves, for users and groups", async () => {
      const condition = { kind: "startswith", field: "displayName", prefix: "User 1" } as const;
      for (const table of ["users", "groups"] as const) {
        const query = database.db
          .selectFrom(table)
          .select("id")
          .where("tenant_id", "=", tenantId)
          .where((eb) => whereCondition(eb, condition, DIRECTORY_LIST_FIELDS[table], dialect))
          .compile();
        const plan = await database.db.transaction().execute(async (tx) => {
          if (dialect === "postgres") await sql`set local enable_seqscan = off`.execute(tx);
          const explain = dialect === "postgres" ? "explain " : "explain query plan ";
          const { rows } = await tx.executeQuery(CompiledQuery.raw(explain + query.sql, [...query.parameters]));
          return rows.map((r) => Object.values(r as Record<string, unknown>).join(" ")).join("\n");
        });
        if (dialect === "postgres") assert.match(plan, new RegExp(`${table}_tenant_display_prefix[\\s\\S]*Index Cond:.*>=.*<`), plan);
        else
          assert.match(plan, new RegExp(`USING INDEX ${table}_tenant_display_key \\(tenant_id=\\? AND <expr>>\\? AND <expr><\\?\\)`), plan);
      }
    });

    test("the fields Graph filters in SQL are the fields storage maps", () => {
      assert.deepEqual([...sqlFilterFields.users].sort(), Object.keys(DIRECTORY_LIST_FIELDS.users).sort());
      assert.deepEqual([...sqlFilterFields.groups].sort(), Object.keys(DIRECTORY_LIST_FIELDS.groups).sort());
    });

    test("a group's members page in the order they were added; transitive members walk the nesting", async () => {
      const outer = await directory.createGroup(tenantId, { displayName: "outer", mailNickname: "outer" });
      const inner = await directory.createGroup(tenantId, { displayName: "inner", mailNickname: "inner" });
      const users = (await directory.listUsers(tenantId)).slice(0, 9);
      for (const u of users.slice(0, 5)) await directory.addMember(outer.id, u.id);
      await directory.addMember(outer.id, inner.id);
      for (const u of users.slice(3)) await directory.addMember(inner.id, u.id);
      const direct = await directory.listMembers(outer.id);
      const pages: string[] = [];
      let after: string | undefined;
      do {
        const page = await directory.listMembersPage(outer.id, { after, limit: 2 });
        pages.push(...page.items.map((o) => o.id));
        after = page.next;
      } while (after);
      assert.deepEqual(
        pages,
        direct.map((o) => o.id),
      );
      assert.equal(direct.length, 6);
      const transitive = await directory.listTransitiveMembers(outer.id);
      assert.deepEqual(transitive.map((o) => o.id).sort(), [...new Set([...users.map((u) => u.id), inner.id])].sort());
    });

    test("role assignment lists select and page in SQL as scopeRelation says", async () => {
      const sub = "/subscriptions/00000000-0000-0000-0000-0000000000aa";
      const scopes = [
        "/",
        sub,
        `${sub}/resourceGroups/rg_1`,
        `${sub}/resourceGroups/rgx1`,
        `${sub}/resourceGroups/rg_1/providers/P.Q/r/x`,
        "/subscriptions/other",
      ];
      const principals = ["p1", "p2", "p3"];
      const records: { id: string; scope: string; principalId: string }[] = [];
      for (let i = 0; i < 30; i++) {
        const scope = scopes[i % scopes.length]!;
        const record = {
          id: `ra-${String(i).padStart(3, "0")}`,
          tenantId,
          scope,
          roleDefinitionId: `role-${i}`,
          principalId: principals[i % 3]!,
          principalType: "User" as const,
          description: null,
          condition: null,
          conditionVersion: null,
          createdOn: `2026-01-01T00:00:${String(Math.floor(i / 3)).padStart(2, "0")}.000Z`,
          createdBy: null,
          updatedOn: "2026-01-01T00:00:00.000Z",
          updatedBy: null,
        };
        records.push(record);
        await store.rbac.insertRoleAssignment(record as Parameters<Store["rbac"]["insertRoleAssignment"]>[0]);
      }
      const deps = { store: store.rbac, authorize: async () => true, groupsOf: () => ["p3"] } as unknown as RoleAssignmentDeps;
      const caller = { principalId: "admin", tenantId, clientName: "admin" };
      for (const scope of [sub, `${sub}/resourceGroups/rg_1`, "/"]) {
        for (const filter of [undefined, "atScope()", "principalId eq 'p2'", "assignedTo('p1')", "atScope() and principalId eq 'p1'"]) {
          const got: string[] = [];
          let skipToken: string | undefined;
          do {
            const page = await listRoleAssignments(deps, caller, scope, { filter, top: "4", skipToken });
            got.push(...page.value.map((a) => a.id));
            skipToken = page.nextSkipToken;
          } while (skipToken);
          const who = filter?.match(/'(p\d)'/)?.[1];
          const expected: string[] = records
            .filter((a) => {
              if (who && !(filter!.startsWith("assignedTo") ? [who, "p3"] : [who]).includes(a.principalId)) return false;
              const where = scopeRelation(a.scope, scope);
              return where === "at" || where === "above" || (where === "below" && !filter?.includes("atScope()"));
            })
            .map((a) => a.id);
          assert.deepEqual(got, expected, `${scope} ${filter}`);
        }
      }
    });
  });
}
