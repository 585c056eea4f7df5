/**
 * `keyless login` with no credentials signs in with a device code (RFC 8628): the CLI prints the server's
 * message, the user approves on the server's device-login page, the CLI's polling completes and the refresh token
 * gets the other resources' tokens.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { before, describe, test } from "node:test";
import { runBinary } from "../harness/cli.ts";
import { useKeyless } from "../harness/keyless.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";

describe("cli device login", () => {
  const server = useKeyless();
  let env: Record<string, string>;

  before(async () => {
    env = { KEYLESS_CONFIG_DIR: join(mkdtempSync(join(tmpdir(), "keyless-cli-dc-")), "config") };
    const registered = await runBinary(
      ["cloud", "register", "-n", "local", "--endpoint", server.facts.url, "--ca-file", process.env.KEYLESS_TEST_CA ?? server.facts.caPath],
      env,
    );
    assert.equal(registered.code, 0, registered.stderr);
  });

  test("keyless login with a device code, approved on the server's device-login page", async () => {
    const child = spawn(process.execPath, [resolve(import.meta.dirname, "..", "..", "bin", "keyless.js"), "login"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const userCode = await new Promise<string>((done) => {
      child.stderr.on("data", (d) => {
        stderr += d;
        const code = /enter the code (\S+)/i.exec(stderr) ?? /code\s+([A-Z0-9-]{6,})/.exec(stderr);
        if (code) done(code[1]!.replace(/[.,]$/, ""));
      });
    });
    const approval = await fetch(`${server.facts.url}/devicelogin`, {
      method: "POST",
      body: new URLSearchParams({ user_code: userCode, username: server.facts.adminUsername, password: ADMIN_PASSWORD }),
    });
    assert.equal(approval.status, 200);
    const code = await new Promise<number>((done) => child.once("exit", (c) => done(c ?? 1)));
    assert.equal(code, 0, stderr);
    const accounts = JSON.parse(stdout);
    assert.equal(accounts[0].user.name, server.facts.adminUsername);
    const token = await runBinary(["account", "get-access-token", "--resource-type", "ms-graph", "--query", "tokenType", "-o", "tsv"], env);
    assert.equal(token.stdout, "Bearer\n", token.stderr);
  });
});
