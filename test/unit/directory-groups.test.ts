import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KyselyPlugin } from "kysely";
import { InvalidInputError, NotFoundError } from "../../src/core/errors.ts";
import { createSealedBox } from "../../src/core/sealed-box.ts";
import { createDirectory, type Directory } from "../../src/directory/directory.ts";
import { transitiveGroupsOf, transitiveMembersOf, wouldCreateCycle } from "../../src/directory/membership.ts";
import { DirectoryRoles } from "../../src/directory/principals.ts";
import type { Database } from "../../src/storage/database.ts";
import type { GroupEdge, GroupRecord } from "../../src/storage/records.ts";
import { createStore, type Store } from "../../src/storage/store.ts";
import { dialects, freshDatabase } from "../harness/databases.ts";

const clock = { now: () => Date.parse("2026-01-01T00:00:00Z") };
const edge = (groupId: string, memberId: string, memberType: GroupEdge["memberType"] = "group"): GroupEdge => ({
  groupId,
  memberId,
  memberType,
});

describe("membership closure (pure)", () => {
  test("a chain and a diamond give each group once", () => {
    const edges = [edge("b", "u", "user"), edge("a", "b"), edge("c", "b"), edge("d", "a"), edge("d", "c")];
    assert.deepEqual(transitiveGroupsOf("u", edges).sort(), ["a", "b", "c", "d"]);
    assert.deepEqual(
      transitiveMembersOf("d", edges)
        .map((e) => e.memberId)
        .sort(),
      ["a", "b", "c", "u"],
    );
  });
  test("a cycle that reached storage still terminates, and never lists the start as its own group", () => {
    const edges = [edge("a", "b"), edge("b", "a"), edge("a", "u", "user")];
    assert.deepEqual(transitiveGroupsOf("u", edges).sort(), ["a", "b"]);
    assert.deepEqual(transitiveGroupsOf("a", edges), ["b"]);
  });
  test("cycles are detected, including a group inside itself", () => {
    const edges = [edge("a", "b"), edge("b", "c")];
    assert.equal(wouldCreateCycle("c", "a", edges), true);
    assert.equal(wouldCreateCycle("a", "a", edges), true);
    assert.equal(wouldCreateCycle("a", "c", edges), false);
  });
});

for (const dialect of dialects) {
  describe(`directory groups on ${dialect}`, () => {
    let database: Database;
    let store: Store;
    let directory: Directory;
    let tenantId: string;
    before(async () => {
      database = await freshDatabase(dialect);
      store = createStore(database);
      directory = createDirectory(store.directory, clock, createSealedBox(Buffer.alloc(32, 3)).lookupDigest);
      tenantId = (await directory.createTenant("T", `t-${dialect}.example`)).id;
    });
    after(() => database.close());

    const group = (name: string) => directory.createGroup(tenantId, { displayName: name, mailNickname: name });
    const user = (name: string) =>
      directory.createUser(tenantId, { userPrincipalName: `${name}@t.example`, displayName: name, password: "Pass-word-1" });

    test("nested membership is transitive, refuses cycles, and follows removals and deletions", async () => {
      const [outer, middle, inner] = [await group("outer"), await group("middle"), await group("inner")];
      const ada = await user(`ada-${dialect}`);
      const sp = (await directory.createApplication(tenantId, "app", true)).servicePrincipal!;
      await directory.addMember(outer.id, middle.id);
      await directory.addMember(middle.id, inner.id);
      await directory.addMember(inner.id, ada.id);
      await directory.addMember(middle.id, sp.id);
      assert.deepEqual((await directory.transitiveGroupIds(ada.id)).sort(), [outer.id, middle.id, inner.id].sort());
      assert.deepEqual((await directory.transitiveGroupIds(sp.id)).sort(), [outer.id, middle.id].sort());
      assert.deepEqual((await directory.listTransitiveMembers(outer.id)).map((o) => o.kind).sort(), [
        "group",
        "group",
        "servicePrincipal",
        "user",
      ]);

      const before = await store.rbac.latestChange();
      await assert.rejects(directory.addMember(inner.id, outer.id), InvalidInputError);
      await assert.rejects(directory.addMember(inner.id, inner.id), InvalidInputError);
      assert.equal(await store.rbac.latestChange(), before, "a refused change writes nothing");

      await directory.removeMember(middle.id, inner.id);
      assert.deepEqual(await directory.transitiveGroupIds(ada.id), [inner.id]);
      assert.ok((await store.rbac.latestChange()) > before, "a membership change moves the change feed");

      await directory.addMember(middle.id, inner.id);
      await directory.deleteGroup(middle.id);
      assert.deepEqual(await directory.transitiveGroupIds(ada.id), [inner.id]);
      assert.deepEqual(await directory.transitiveGroupIds(sp.id), []);
      assert.ok(!(await store.directory.listGroupMemberships()).some((e) => e.groupId === middle.id || e.memberId === middle.id));
    });

    test("two concurrent opposite nestings: exactly one wins, so no cycle reaches storage", async () => {
      for (let round = 0; round < 5; round++) {
        const [a, b] = [await group(`race-a-${round}`), await group(`race-b-${round}`)];
        const results = await Promise.allSettled([directory.addMember(a.id, b.id), directory.addMember(b.id, a.id)]);
        assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, JSON.stringify(results));
        assert.ok(results.some((r) => r.status === "rejected" && r.reason instanceof InvalidInputError));
      }
    });

    test("deep nesting: a user at the bottom of 60 groups belongs to all of them", async () => {
      const chain = [];
      for (let i = 0; i < 60; i++) chain.push(await group(`level-${i}`));
      for (let i = 1; i < chain.length; i++) await directory.addMember(chain[i - 1]!.id, chain[i]!.id);
      const bob = await user(`bob-${dialect}`);
      await directory.addMember(chain.at(-1)!.id, bob.id);
      assert.equal((await directory.transitiveGroupIds(bob.id)).length, 60);
      await assert.rejects(directory.addMember(chain.at(-1)!.id, chain[0]!.id), InvalidInputError);
    });

    test("the level-by-level walk in storage agrees with the pure closure on a random nesting", async () => {
      let seed = 7;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const groups = [];
      for (let i = 0; i < 25; i++) groups.push(await group(`random-${i}`));
      const people = [await user(`r1-${dialect}`), await user(`r2-${dialect}`), await user(`r3-${dialect}`)];
      for (let i = 0; i < 60; i++) {
        const [a, b] = [groups[Math.floor(random() * groups.length)]!, groups[Math.floor(random() * groups.length)]!];
        await directory.addMember(a.id, b.id).catch(() => undefined); // cycles and duplicates are refused; that is fine here
      }
      for (const person of people) await directory.addMember(groups[Math.floor(random() * groups.length)]!.id, person.id);
      const edges = await store.directory.listGroupEdges();
      for (const principal of [...people, ...groups]) {
        assert.deepEqual((await directory.transitiveGroupIds(principal.id)).sort(), transitiveGroupsOf(principal.id, edges).sort());
      }
    });

    test("the cycle check in SQL refuses exactly what the pure check on every edge refuses", async () => {
      let seed = 11;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const groups: GroupRecord[] = [];
      for (let i = 0; i < 15; i++) groups.push(await group(`cycle-${i}`));
      for (let i = 0; i < 80; i++) {
        const [a, b] = [groups[Math.floor(random() * groups.length)]!, groups[Math.floor(random() * groups.length)]!];
        const edges = await store.directory.listGroupEdges();
        if (edges.some((e) => e.groupId === a.id && e.memberId === b.id)) continue;
        const refused = await directory.addMember(a.id, b.id).then(
          () => false,
          (err) => (err instanceof InvalidInputError ? true : Promise.reject(err)),
        );
        assert.equal(refused, wouldCreateCycle(a.id, b.id, edges), `step ${i}: ${a.displayName} <- ${b.displayName}`);
      }
    });

    test("adding a group to a group reads the groups above it, not every membership edge", async () => {
      // 300 edges elsewhere in the directory, then a nesting three deep.
      const crowd = await group("crowd");
      for (let i = 0; i < 300; i++) {
        const memberId = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
        await store.directory.addGroupMember({ groupId: crowd.id, memberId, memberType: "user" }, "2026-01-01T00:00:00.000Z", () => {});
      }
      const [top, middle, bottom, fresh] = [await group("top"), await group("middle2"), await group("bottom"), await group("fresh")];
      await directory.addMember(top.id, middle.id);
      await directory.addMember(middle.id, bottom.id);
      let rowsRead = 0;
      const counting: KyselyPlugin = {
        transformQuery: (args) => args.node,
        transformResult: async (args) => {
          rowsRead += args.result.rows.length;
          return args.result;
        },
      };
      const counted = createDirectory(
        createStore({ ...database, db: database.db.withPlugin(counting) }).directory,
        clock,
        createSealedBox(Buffer.alloc(32, 3)).lookupDigest,
      );
      await counted.addMember(bottom.id, fresh.id);
      await assert.rejects(counted.addMember(fresh.id, top.id), InvalidInputError);
      assert.ok(rowsRead < 30, `rows read for two nestings: ${rowsRead}`);
    });

    test("objects by id (Graph getByIds): in the order asked, any kind, one query per kind and per 500 ids", async () => {
      const [g, u] = [await group("by-id"), await user(`by-id-${dialect}`)];
      const sp = (await directory.createApplication(tenantId, "by-id-app", true)).servicePrincipal!;
      const missing = "00000000-0000-4000-8000-999999999999";
      const filler = Array.from({ length: 900 }, (_, i) => `00000000-0000-4000-9000-${String(i).padStart(12, "0")}`);
      let queries = 0;
      const counting: KyselyPlugin = {
        transformQuery: (args) => {
          queries++;
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      const counted = createDirectory(
        createStore({ ...database, db: database.db.withPlugin(counting) }).directory,
        clock,
        createSealedBox(Buffer.alloc(32, 3)).lookupDigest,
      );
      const found = await counted.getObjects([sp.id, missing, u.id.toUpperCase(), g.id, ...filler, u.id]);
      assert.deepEqual(
        found.map((o) => [o.kind, o.id]),
        [
          ["servicePrincipal", sp.id],
          ["user", u.id],
          ["group", g.id],
          ["user", u.id],
        ],
      );
      assert.ok(queries <= 6, `queries for 904 distinct ids: ${queries}`);
    });

    test("a duplicate member is a conflict; removing a non-member is not found; deleting a user drops its edges", async () => {
      const g = await group("dup");
      const carol = await user(`carol-${dialect}`);
      await directory.addMember(g.id, carol.id);
      await assert.rejects(directory.addMember(g.id, carol.id), /already exist/);
      await assert.rejects(directory.removeMember(g.id, crypto.randomUUID()), NotFoundError);
      await directory.deleteUser(carol.id);
      assert.deepEqual(await directory.listMembers(g.id), []);
    });

    test("direct edges for RBAC: listGroupMemberships returns exactly the direct edges", async () => {
      const g = await group("edges");
      const dave = await user(`dave-${dialect}`);
      await directory.addMember(g.id, dave.id);
      const edges = await store.directory.listGroupMemberships();
      assert.ok(edges.some((e) => e.groupId === g.id && e.memberId === dave.id));
    });

    test("direct edges a page at a time: listGroupMembershipsPage walks every edge once, in (group, member) order", async () => {
      const [g1, g2] = [await group("paged-1"), await group("paged-2")];
      const members = await Promise.all(["p1", "p2", "p3"].map((n) => user(`${n}-${dialect}`)));
      for (const m of members) await directory.addMember(g1.id, m.id);
      await directory.addMember(g2.id, members[0]!.id);
      await directory.addMember(g2.id, g1.id);
      const all = await store.directory.listGroupMemberships();
      for (const limit of [1, 2, 3]) {
        const walked: { groupId: string; memberId: string }[] = [];
        for (let after: { groupId: string; memberId: string } | undefined; ; ) {
          const page = await store.directory.listGroupMembershipsPage(after, limit);
          assert.ok(page.length <= limit);
          walked.push(...page);
          if (page.length < limit) break;
          after = page.at(-1);
        }
        assert.deepEqual(walked, all, `pages of ${limit}`);
      }
    });

    test("directory roles: each area needs its role, owners manage their group, User Administrators cannot touch Global Administrators", async () => {
      const [ga, ua, gra, aa, owner, plain] = await Promise.all(
        ["ga", "ua", "gra", "aa", "owner", "plain"].map((n) => user(`${n}-${dialect}`)),
      );
      await directory.grantDirectoryRole(tenantId, DirectoryRoles.globalAdministrator, ga!.id);
      await directory.grantDirectoryRole(tenantId, DirectoryRoles.userAdministrator, ua!.id);
      await directory.grantDirectoryRole(tenantId, DirectoryRoles.groupsAdministrator, gra!.id);
      await directory.grantDirectoryRole(tenantId, DirectoryRoles.applicationAdministrator, aa!.id);
      const g = await group("owned");
      await directory.addOwner(g.id, owner!.id);
      assert.deepEqual(await Promise.all([ga, ua, gra, aa, plain].map((p) => directory.mayWrite(p!.id, "users"))), [
        true,
        true,
        false,
        false,
        false,
      ]);
      assert.deepEqual(await Promise.all([ga, ua, gra, aa, plain].map((p) => directory.mayWrite(p!.id, "groups"))), [
        true,
        true,
        true,
        false,
        false,
      ]);
      assert.deepEqual(await Promise.all([ga, ua, gra, aa, plain].map((p) => directory.mayWrite(p!.id, "applications"))), [
        true,
        false,
        false,
        true,
        false,
      ]);
      assert.equal(await directory.mayManageGroup(owner!.id, g.id), true);
      assert.equal(await directory.mayManageGroup(plain!.id, g.id), false);
      assert.equal(await directory.mayChangeUser(ua!.id, ga!.id), false);
      assert.equal(await directory.mayChangeUser(ua!.id, plain!.id), true);
      assert.equal(await directory.mayChangeUser(ga!.id, ua!.id), true);
    });

    test("users: update hashes a new password, disables, and finds by UPN case-insensitively", async () => {
      const erin = await user(`erin-${dialect}`);
      await directory.updateUser(`ERIN-${dialect}@t.example`, { accountEnabled: false, password: "New-Passw0rd", displayName: "Erin" });
      const stored = await directory.getUser(erin.id);
      assert.equal(stored!.accountEnabled, false);
      assert.equal(stored!.displayName, "Erin");
      assert.ok(stored!.passwordHash!.startsWith("scrypt$") && !stored!.passwordHash!.includes("New-Passw0rd"));
      assert.ok(await directory.verifyUserPassword(erin.userPrincipalName, "New-Passw0rd"));
      await assert.rejects(directory.updateUser(erin.id, { password: "short" }), InvalidInputError);
    });
  });
}
