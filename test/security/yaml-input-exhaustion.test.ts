import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { UsageError } from "../../src/cli/cli-error.ts";
import { readWorld } from "../../src/cli/commands/apply/apply.ts";
import { parseWorld } from "../../src/cli/world/world-file.ts";
import { loadConfig } from "../../src/config/load.ts";
import { parseYaml, readYamlFile, YAML_MAX_BYTES, YamlInputError } from "../../src/config/yaml-input.ts";
import { readModelsFile } from "../../src/inference/model-config.ts";

/**
 * Threat: a YAML input (world file, models, federation, configuration) exhausts the process — 80,000 keys took 27 s
 * or more (the `yaml` package compares every key with every earlier one), `apply -f /dev/zero` reached 2 GB.
 */

test("an endless input such as /dev/zero is refused after reading one byte past the cap", () => {
  assert.throws(
    () => readYamlFile("/dev/zero"),
    (err: Error) => err instanceof YamlInputError && /larger than 4194304 bytes/.test(err.message),
  );
  assert.throws(
    () => readWorld("/dev/zero"),
    (err: Error) => err instanceof UsageError && /--file\/-f: '\/dev\/zero' is larger than/.test(err.message),
  );
  assert.throws(() => readModelsFile("/dev/zero"), /Cannot read the models file '\/dev\/zero': .*larger than/);
  assert.throws(() => loadConfig({ argv: ["--config", "/dev/zero"] }), /larger than/);
});

test("text over the cap is refused before parsing, under it is parsed", () => {
  assert.throws(() => parseYaml(`a: ${"x".repeat(2048)}`, 1024), YamlInputError);
  assert.deepEqual(parseYaml("a: 1\nb: [2, 3]"), { a: 1, b: [2, 3] });
  assert.equal(YAML_MAX_BYTES, 4 * 1024 * 1024);
});

test("duplicate keys are still refused, with the line of the repeated key", () => {
  assert.throws(() => parseYaml("a: 1\nb:\n  c: 1\n  c: 2\n"), /'c' is repeated/);
  assert.throws(
    () => parseWorld("users:\n  - userPrincipalName: a@b.c\n    password: x\n    password: y\n", "w.yaml"),
    (err: Error) => err instanceof UsageError && /w\.yaml:4:5: Map keys must be unique; 'password' is repeated/.test(err.message),
  );
  // The same key in different mappings is fine.
  assert.deepEqual(parseYaml("a: {k: 1}\nb: {k: 2}\n"), { a: { k: 1 }, b: { k: 2 } });
});

// The quadratic check took 85 s here for 80,000 keys, the linear one about 1.5 s: the timeout only catches the
// former, with a wide margin on a loaded 2-core machine.
test("80,000 keys parse in linear time", { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-yaml-"));
  try {
    const file = join(dir, "many.yaml");
    writeFileSync(file, Array.from({ length: 80_000 }, (_, i) => `k${i}: ${i}`).join("\n"));
    const parsed = readYamlFile(file) as Record<string, number>;
    assert.equal(Object.keys(parsed).length, 80_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
