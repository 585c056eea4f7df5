import assert from "node:assert/strict";
import { test } from "node:test";
import { heapShrinkAfterReloads } from "../../src/core/heap.ts";

test("a serving node collects after a full reload at most once a minute; reloads in between get one collection when it ends", (t) => {
  t.mock.timers.enable({ apis: ["Date", "setTimeout"], now: 1_000_000 });
  let collections = 0;
  const afterFullReload = heapShrinkAfterReloads(60_000, () => collections++);
  afterFullReload();
  assert.equal(collections, 1, "the first reload (a node's start) collects at once");
  // A loop of deleted scopes with assignments under them: a full reload on every node every 100 ms.
  for (let i = 0; i < 100; i++) {
    t.mock.timers.tick(100);
    afterFullReload();
  }
  assert.equal(collections, 1);
  t.mock.timers.tick(50_000);
  assert.equal(collections, 2, "the reloads of the minute get one collection at its end");
  t.mock.timers.tick(120_000);
  assert.equal(collections, 2, "nothing more without a reload");
  afterFullReload();
  assert.equal(collections, 3, "a reload a minute after the last collection collects at once");
});
