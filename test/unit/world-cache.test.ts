/**
 * keyless/testing's prepared-world cache (src/testing/world-cache.ts) without a server: what is restored, what is
 * refused, and what is removed.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { restorePreparedWorld, savePreparedWorld, worldCacheDir } from "../../src/testing/world-cache.ts";

let work: string;
let cache: string;
let dataDir: string;
const prepared = { adminPassword: "Kl-admin", seeded: [], users: { "alice@keyless.local": "Alice-Password-1" } };

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "keyless-world-cache-unit-"));
  cache = worldCacheDir(join(work, "cache"))!;
  dataDir = join(work, "data");
  mkdirSync(dataDir, { mode: 0o700 });
  writeFileSync(join(dataDir, "keyless.db"), "database", { mode: 0o600 });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

test("a saved world is restored with its files and what the start returned; an unknown key is not", () => {
  savePreparedWorld(cache, "k1", dataDir, prepared);
  const into = join(work, "restored");
  assert.deepEqual(restorePreparedWorld(cache, "k1", into), prepared);
  assert.ok(existsSync(join(into, "keyless.db")));
  assert.equal(restorePreparedWorld(cache, "k2", join(work, "other")), undefined);
  assert.equal(existsSync(join(work, "other")), false);
});

test("an entry older than 7 days is prepared again: not restored, and removed", () => {
  savePreparedWorld(cache, "old", dataDir, prepared);
  const meta = join(cache, "old", "prepared.json");
  writeFileSync(meta, JSON.stringify({ ...prepared, createdAt: Date.now() - 8 * 86_400_000 }));
  assert.equal(restorePreparedWorld(cache, "old", join(work, "restored")), undefined);
  assert.equal(existsSync(join(cache, "old")), false);
});

test("saving keeps the newest 20 entries and removes unfinished copies older than an hour", () => {
  for (let i = 0; i < 21; i++) {
    const entry = join(cache, `entry-${i}`);
    mkdirSync(entry);
    const at = new Date(Date.now() - (30 - i) * 60_000);
    utimesSync(entry, at, at);
  }
  const unfinished = join(cache, "k.123.abcd.tmp");
  mkdirSync(unfinished);
  const longAgo = new Date(Date.now() - 2 * 3_600_000);
  utimesSync(unfinished, longAgo, longAgo);
  savePreparedWorld(cache, "newest", dataDir, prepared);
  const left = readdirSync(cache);
  assert.equal(left.length, 20);
  assert.ok(left.includes("newest"));
  assert.ok(!left.includes("entry-0") && !left.includes("entry-1"), "the two oldest are gone");
  assert.ok(!left.includes("k.123.abcd.tmp"));
});

test("a cache folder others can write, or KEYLESS_TESTING_CACHE=off, is not used", () => {
  const shared = join(work, "shared");
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  assert.equal(worldCacheDir(shared), undefined);
  assert.equal(worldCacheDir("off"), undefined);
});
