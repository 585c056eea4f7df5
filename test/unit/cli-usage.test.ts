import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { runInProcess, signedInConfigDir, recordingTransport } from "../harness/cli.ts";

const cases: { argv: string[]; says: RegExp }[] = [
  { argv: ["group", "create", "-n", "rg", "--bogus"], says: /unrecognized arguments: --bogus\. Run 'keyless group create -h'/ },
  { argv: ["group", "create", "-n", "rg"], says: /the following arguments are required: --location\/-l/ },
  {
    argv: ["group", "list", "-o", "xml"],
    says: /argument --output: invalid choice: 'xml' \(choose from 'json', 'jsonc', 'tsv', 'table', 'yaml', 'csv', 'jsonl', 'none'\)/,
  },
  { argv: ["group", "list", "--query", "[?"], says: /argument --query: invalid jmespath_type value/ },
  { argv: ["gruop", "list"], says: /'gruop' is misspelled or not recognized by the system\. Run 'keyless -h'/ },
  {
    argv: ["role", "assignment", "crate"],
    says: /'crate' is misspelled or not recognized by the system\. Run 'keyless role assignment -h'/,
  },
  { argv: ["role", "assignment", "create", "--role", "Reader"], says: /Give exactly one of --assignee or --assignee-object-id/ },
  {
    argv: ["cloud", "register", "-n", "x", "--endpoint", "http://localhost:8443"],
    says: /Keyless serves HTTPS only; give an https:\/\/ URL/,
  },
  { argv: ["login", "-u", "alice@x"], says: /Give both -u USER and -p PASSWORD/ },
  { argv: ["login", "-p", "pw"], says: /Give both -u USER and -p PASSWORD/ },
  { argv: ["login", "-u", "alice@x", "-p", ""], says: /argument --password\/-p: the password is empty/ },
  { argv: ["login", "--service-principal", "-u", "app", "-p", ""], says: /argument --password\/-p: the secret is empty/ },
  { argv: ["login", "-u", "", "-p", "pw"], says: /argument --username\/-u: the user name is empty/ },
  {
    argv: ["login", "--service-principal", "-u", "", "-p", "secret"],
    says: /argument --username\/-u: the application \(client\) id is empty/,
  },
  {
    argv: ["login", "--service-principal", "-u", "", "--certificate", "sp.pem"],
    says: /argument --username\/-u: the application \(client\) id is empty/,
  },
  { argv: ["login", "--service-principal", "-u", "app", "--certificate", ""], says: /argument --certificate: the file name is empty/ },
  { argv: ["login", "--identity", "-u", ""], says: /argument --username\/-u: the client id of the user-assigned identity is empty/ },
  { argv: ["login", "-u", "", "-p", ""], says: /argument --username\/-u: the user name is empty/ },
  { argv: ["login", "--service-principal", "-u", "app"], says: /--service-principal needs -u APP_ID and -p SECRET or --certificate PEM/ },
  { argv: ["login", "--service-principal", "--certificate", "sp.pem"], says: /--service-principal needs -u APP_ID/ },
  { argv: ["login", "-u", "alice@x", "-p", "pw", "--certificate", "sp.pem"], says: /--certificate goes with --service-principal/ },
  { argv: ["group", "show", "-n", "rg", "extra"], says: /unrecognized arguments: extra/ },
  {
    argv: ["cognitiveservices", "account", "keys", "regenerate", "-n", "a", "-g", "g", "--key-name", "key3"],
    says: /invalid choice: 'key3' \(choose from 'key1', 'key2'\)/,
  },
  { argv: ["audit", "list", "--offset", "yesterday"], says: /'yesterday' is not an offset; use e\.g\. 30m, 6h or 2d/ },
];

for (const { argv, says } of cases) {
  test(`keyless ${argv.join(" ")} → exit 2 and says what to change`, async () => {
    const transport = recordingTransport(() => undefined);
    const run = await runInProcess(argv, { env: { KEYLESS_CONFIG_DIR: signedInConfigDir() }, transport });
    assert.equal(run.code, 2, `stderr: ${run.stderr}`);
    assert.match(run.stderr, /^ERROR: /);
    assert.match(run.stderr, says);
    assert.equal(run.stdout, "");
    assert.deepEqual(transport.requests, [], "no request is sent for a usage error");
  });
}

test("not signed in → exit 1 with what to run", async () => {
  const run = await runInProcess(["group", "list"], { env: { KEYLESS_CONFIG_DIR: "/nonexistent/keyless-test" } });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^ERROR: \(CloudNotSet\) .*keyless cloud register/);
});

test("a 404 from ARM exits 3 with az's three error lines", async () => {
  const transport = recordingTransport(() => ({
    status: 404,
    body: { error: { code: "ResourceGroupNotFound", message: "Resource group 'nope' could not be found." } },
  }));
  const run = await runInProcess(["group", "show", "-n", "nope"], { env: { KEYLESS_CONFIG_DIR: signedInConfigDir() }, transport });
  assert.equal(run.code, 3);
  assert.equal(
    run.stderr,
    "ERROR: (ResourceGroupNotFound) Resource group 'nope' could not be found.\nCode: ResourceGroupNotFound\nMessage: Resource group 'nope' could not be found.\n",
  );
});

test("a 403 exits 1", async () => {
  const transport = recordingTransport(() => ({ status: 403, body: { error: { code: "AuthorizationFailed", message: "no" } } }));
  const run = await runInProcess(["group", "list"], { env: { KEYLESS_CONFIG_DIR: signedInConfigDir() }, transport });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^ERROR: \(AuthorizationFailed\) no/);
});

test("a data-plane denial prints its explanation, structured or as text", async () => {
  const structured = recordingTransport(() => ({
    status: 401,
    body: {
      error: {
        code: "PermissionDenied",
        message: "no",
        explanation: { reason: "no-matching-assignment", suggestedRoles: [{ roleName: "Cognitive Services User" }] },
      },
    },
  }));
  const run = await runInProcess(["chat", "--account", "a", "--deployment", "d", "--no-stream", "hi"], {
    env: { KEYLESS_CONFIG_DIR: signedInConfigDir() },
    transport: structured,
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Explanation:\n {2}reason: no-matching-assignment\n {2}suggestedRoles: Cognitive Services User\n$/);
  const text = recordingTransport(() => ({
    status: 401,
    body: { error: { code: "PermissionDenied", message: "no", explanation: "The credential was read as a key." } },
  }));
  const textRun = await runInProcess(["chat", "--account", "a", "--deployment", "d", "--no-stream", "hi"], {
    env: { KEYLESS_CONFIG_DIR: signedInConfigDir() },
    transport: text,
  });
  assert.match(textRun.stderr, /Explanation: The credential was read as a key\.\n$/);
});

test("boolean flags take az's values too: --custom-role-only true, --custom-role-only=false", async () => {
  const { parseCommandArgs } = await import("../../src/cli/parse.ts");
  const spec = {
    path: ["role", "definition", "list"],
    summary: "",
    options: { "custom-role-only": { type: "boolean" as const, help: "" } },
    examples: [],
    run: async () => undefined,
  };
  assert.equal(parseCommandArgs(spec, ["--custom-role-only", "true"], {}).values["custom-role-only"], true);
  assert.equal(parseCommandArgs(spec, ["--custom-role-only", "false"], {}).values["custom-role-only"], undefined);
  assert.equal(parseCommandArgs(spec, ["--custom-role-only=yes"], {}).values["custom-role-only"], true);
  assert.equal(parseCommandArgs(spec, ["--custom-role-only"], {}).values["custom-role-only"], true);
  assert.throws(() => parseCommandArgs(spec, ["--custom-role-only=maybe"], {}), /custom-role-only/);
});

test("keyless --version prints Keyless's version and the Node that runs it, and sends nothing", async () => {
  const transport = recordingTransport(() => undefined);
  const run = await runInProcess(["--version"], { transport });
  assert.equal(run.code, 0, run.stderr);
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  assert.equal(run.stdout, `keyless ${version}\nnode ${process.versions.node}\n`);
  assert.deepEqual(transport.requests, []);
});
