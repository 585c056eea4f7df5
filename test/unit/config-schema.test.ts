import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { OPTIONAL_SETTINGS, schema } from "../../src/config/schema.ts";

/** Defaults computed from other settings in `resolveDefaults`; the schema's own default for them is undefined. */
const DERIVED = ["publicUrl", "storage", "adminUsername"];

test("the optional settings are exactly those without a default, so Config's types say what is always set", () => {
  const withoutDefault = Object.entries(schema)
    .filter(([key, spec]) => spec.default === undefined && !DERIVED.includes(key))
    .map(([key]) => key);
  assert.deepEqual([...OPTIONAL_SETTINGS].sort(), withoutDefault.sort());
});

test("a loaded configuration holds every setting but the optional ones", () => {
  const config: Record<string, unknown> = loadConfig({ env: {} });
  const missing = Object.keys(schema).filter((key) => config[key] === undefined && !(OPTIONAL_SETTINGS as readonly string[]).includes(key));
  assert.deepEqual(missing, []);
});
