import assert from "node:assert/strict";
import { test } from "node:test";
import { createMemoryQuotaCounter, quotasFor, type QuotaView, windowOf } from "../../src/inference/quotas.ts";

const quota = (over: Partial<QuotaView>): QuotaView => ({
  id: "/q/a",
  principalId: "p1",
  deployment: "chat",
  tokens: 100,
  period: "P1D",
  ...over,
});

test("a call is held to its principal's quotas and its groups', on its deployment or on all ('*')", () => {
  const quotas = [
    quota({ id: "/q/own" }),
    quota({ id: "/q/team", principalId: "G1", deployment: "*" }),
    quota({ id: "/q/other-deployment", deployment: "embed" }),
    quota({ id: "/q/someone-else", principalId: "p2" }),
  ];
  assert.deepEqual(
    quotasFor(quotas, ["p1", "g1"], "CHAT").map((q) => q.id),
    ["/q/own", "/q/team"],
  );
  assert.deepEqual(quotasFor(quotas, ["p3"], "chat"), []);
});

test("windows are fixed and aligned to UTC: a day runs midnight to midnight, and the next day counts afresh", async () => {
  const noon = Date.parse("2026-03-01T12:00:00Z");
  const day = windowOf(quota({}), noon);
  assert.equal(new Date(day.resetsAt).toISOString(), "2026-03-02T00:00:00.000Z");
  assert.equal(windowOf(quota({}), Date.parse("2026-03-01T23:59:59.999Z")).key, day.key);
  const tomorrow = windowOf(quota({}), Date.parse("2026-03-02T00:00:00Z"));
  assert.notEqual(tomorrow.key, day.key);
  assert.equal(new Date(windowOf(quota({ period: "PT1H" }), noon + 1).resetsAt).toISOString(), "2026-03-01T13:00:00.000Z");

  let now = noon;
  const counter = createMemoryQuotaCounter(() => now);
  await counter.charge(day, 60);
  await counter.charge(day, 50);
  assert.equal(await counter.spent(day), 110);
  now = tomorrow.resetsAt - 1;
  await counter.charge(tomorrow, 1);
  assert.equal(await counter.spent(day), 0, "a finished window is forgotten");
  assert.equal(await counter.spent(tomorrow), 1);
});
