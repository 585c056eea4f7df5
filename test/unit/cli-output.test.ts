import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { commandTable } from "../../src/cli/command-table.ts";
import { command } from "../../src/cli/command.ts";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { applyQuery, azResult, OUTPUT_FORMATS, render } from "../../src/cli/output.ts";
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

/**
 * az's own printer (knack's output.py, as the Debian azure-cli package installs it) on the same data and query:
 * `azResult` then `render` must print what az prints, for every format whose text az fixes.
 */
const KNACK_PYTHON = "/usr/bin/python3";
const knackInstalled = existsSync("/usr/lib/python3/dist-packages/knack/output.py");
const KNACK_SCRIPT = `
import json, sys, collections, jmespath
from knack.output import format_json, format_tsv, format_table
from knack.util import CommandResultItem
from azure.cli.core.commands.transform import _add_resource_group
printed = []
for request in json.load(sys.stdin):
    result = request["data"]
    _add_resource_group(result)
    if request["query"]:
        result = jmespath.search(request["query"], result, jmespath.Options(collections.OrderedDict))
    item = CommandResultItem(result, is_query_active=bool(request["query"]))
    printed.append({"json": format_json, "tsv": format_tsv, "table": format_table}[request["format"]](item))
json.dump(printed, sys.stdout)
`;
/** What knack prints for each (data, format, query): one Python process for all of them (az's imports take a second). */
function azPrints(requests: { data: unknown; format: string; query: string | null }[]): string[] {
  return JSON.parse(execFileSync(KNACK_PYTHON, ["-c", KNACK_SCRIPT], { input: JSON.stringify(requests), encoding: "utf8" }));
}

const ARM_LIST = [
  {
    id: "/subscriptions/s1/resourceGroups/RG-AI/providers/Microsoft.CognitiveServices/accounts/acct",
    name: "acct",
    kind: "AIServices",
    location: "eastus",
    tags: {},
    sku: { name: "S0" },
    properties: { endpoints: { a: "https://x" }, networkAcls: null, disableLocalAuth: true, capabilities: [{ name: "x" }] },
    etag: null,
  },
  { id: "/subscriptions/s1/resourceGroups/rg-data", name: "rg-data", location: "westeurope", managedBy: null, count: 3, enabled: false },
];

describe("the same data and query print as knack (az's printer) prints them", {
  skip: !knackInstalled && "azure-cli (knack) not installed",
}, () => {
  const cases: [string, unknown, string | null][] = [
    ["sample", SAMPLE, null],
    ["an ARM list", ARM_LIST, null],
    ["a list of lists", ARM_LIST, '[].[resourceGroup, name, properties.disableLocalAuth, tags, sku, `[1, "it\'s"]`]'],
    ["a query's own objects keep its order", ARM_LIST, "[].{z:name, a:resourceGroup, m:location}"],
    ["a bare boolean", ARM_LIST, "[0].properties.disableLocalAuth"],
    ["a bare list of scalars", ARM_LIST, "[].name"],
    ["one object", ARM_LIST, "[0]"],
    ["a null", ARM_LIST, "[0].managedBy"],
  ];
  const requests = cases.flatMap(([, data, query]) => (["json", "tsv", "table"] as const).map((format) => ({ data, format, query })));
  const expected = knackInstalled ? azPrints(requests) : [];
  requests.forEach(({ data, format, query }, i) => {
    test(`${cases[Math.floor(i / 3)]![0]}${query ? ` (--query ${query})` : ""} -o ${format}`, () => {
      const ours = render(applyQuery(azResult(structuredClone(data)), query ?? undefined), format, { sortTableKeys: query === null });
      assert.equal(ours, expected[i]);
    });
  });
});
