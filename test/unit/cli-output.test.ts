import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { commandTable } from "../../src/cli/command-table.ts";
import { command } from "../../src/cli/command.ts";
import { applyQuery, OUTPUT_FORMATS, render } from "../../src/cli/output.ts";
import { runInProcess } from "../harness/cli.ts";
import { runCli } from "../../src/cli/main.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "cli");
/** Set KEYLESS_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change of format. */
const UPDATE = process.env.KEYLESS_UPDATE_GOLDEN === "1";

/** A list the way ARM returns one: scalars, a nested object and a nested list per item, a null. */
const SAMPLE = [
  { name: "rg-ai", location: "eastus", managedBy: null, properties: { provisioningState: "Succeeded" }, tags: ["a", "b"], enabled: true },
  {
    name: "rg-data",
    location: "westeurope",
    managedBy: "someone",
    properties: { provisioningState: "Deleting" },
    tags: [],
    enabled: false,
  },
];

function golden(name: string, actual: string): void {
  const path = join(FIXTURES, name);
  if (UPDATE) writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, "utf8"), `${name} differs from its golden file`);
}

for (const format of OUTPUT_FORMATS) {
  test(`-o ${format} matches its golden file`, () => {
    golden(`sample.${format}.txt`, render(SAMPLE, format));
  });
}

test("--query then -o tsv prints a bare value, as the walkthrough's --query id --output tsv needs", () => {
  golden("query-names.tsv.txt", render(applyQuery(SAMPLE, "[].name"), "tsv"));
  assert.equal(render(applyQuery(SAMPLE[0], "name"), "tsv"), "rg-ai\n");
  golden("query-projection.table.txt", render(applyQuery(SAMPLE, "[].{Name:name, State:properties.provisioningState}"), "table"));
});

test("the whole CLI path formats a command's result: -o and --query on a real command run", async () => {
  const echo = command({
    path: ["echo"],
    summary: "test",
    options: {},
    examples: [{ text: "t", command: "keyless echo" }],
    run: async () => SAMPLE,
  });
  let stdout = "";
  const code = await runCli(
    ["echo", "-o", "yaml", "--query", "[?enabled]"],
    { stdout: (t) => (stdout += t), stderr: () => {}, env: {} },
    { table: [echo] },
  );
  assert.equal(code, 0);
  golden("command-query.yaml.txt", stdout);
});

test("KEYLESS_OUTPUT sets the default format and -o overrides it", async () => {
  const run = await runInProcess(["cloud", "list"], { env: { KEYLESS_CONFIG_DIR: join(FIXTURES, "no-such-dir"), KEYLESS_OUTPUT: "tsv" } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "");
  const json = await runInProcess(["cloud", "list", "-o", "json"], {
    env: { KEYLESS_CONFIG_DIR: join(FIXTURES, "no-such-dir"), KEYLESS_OUTPUT: "tsv" },
  });
  assert.equal(json.stdout, "[]\n");
  assert.ok(commandTable.length > 0);
});

test("--query: a syntax error is a usage error; functions on the real result work", async () => {
  assert.throws(() => applyQuery(SAMPLE, "[?"), /argument --query: invalid jmespath_type value/);
  assert.equal(applyQuery(SAMPLE, "length(@)"), 2);
  assert.deepEqual(applyQuery(SAMPLE[0], "keys(properties)"), ["provisioningState"]);
  assert.throws(() => applyQuery(SAMPLE, "length(nothing)"), /cannot be applied to the result/);
});
