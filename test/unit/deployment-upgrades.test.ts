import assert from "node:assert/strict";
import { test } from "node:test";
import type { ModelCatalogEntry } from "../../src/arm/arm-deps.ts";
import { isRetired, upgradedVersion } from "../../src/arm/deployment-upgrades.ts";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const entry = (version: string, over: Partial<ModelCatalogEntry> = {}): ModelCatalogEntry => ({
  format: "Acme",
  name: "chatty",
  version,
  backend: "b",
  lifecycleStatus: "GenerallyAvailable",
  isDefaultVersion: false,
  deprecationDate: undefined,
  skus: undefined,
  ...over,
});
const model = { format: "ACME", name: "Chatty", version: "1" };

test("OnceNewDefaultVersionAvailable follows the default; OnceCurrentVersionExpired waits for retirement; NoAutoUpgrade never moves", () => {
  const newDefault = [entry("1", { deprecationDate: "2026-12-01T00:00:00Z" }), entry("2", { isDefaultVersion: true })];
  assert.equal(upgradedVersion(model, "OnceNewDefaultVersionAvailable", newDefault, NOW), "2");
  assert.equal(upgradedVersion(model, "OnceCurrentVersionExpired", newDefault, NOW), "1");
  assert.equal(upgradedVersion(model, "NoAutoUpgrade", newDefault, NOW), "1");

  const retired = [entry("1", { deprecationDate: "2026-05-01T00:00:00Z" }), entry("2", { isDefaultVersion: true })];
  assert.equal(upgradedVersion(model, "OnceCurrentVersionExpired", retired, NOW), "2");
  assert.equal(upgradedVersion(model, "NoAutoUpgrade", retired, NOW), "1");
  // A version gone from the catalog counts as retired.
  assert.equal(upgradedVersion(model, "OnceCurrentVersionExpired", [entry("2", { isDefaultVersion: true })], NOW), "2");
});

test("no move to a default that is itself retired, nor when the deployment already runs the default", () => {
  const retiredDefault = [entry("1"), entry("2", { isDefaultVersion: true, deprecationDate: "2026-01-01T00:00:00Z" })];
  assert.equal(upgradedVersion(model, "OnceNewDefaultVersionAvailable", retiredDefault, NOW), "1");
  assert.equal(upgradedVersion(model, "OnceNewDefaultVersionAvailable", [entry("1", { isDefaultVersion: true })], NOW), "1");
  assert.equal(isRetired(undefined, NOW), true);
  assert.equal(isRetired(entry("1", { deprecationDate: "2026-06-01T00:00:00Z" }), NOW), true);
  assert.equal(isRetired(entry("1"), NOW), false);
});
