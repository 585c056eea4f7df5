/**
 * `keyless cloud az-config` is what the real Azure CLI needs: its JSON registered with `az cloud register
 * --cloud-config`, az 2.45 signs in to Keyless as a service principal made by `keyless ad sp create-for-rbac`.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { azureCliInstalled } from "../harness/azure-cli.ts";
import { runInProcess } from "../harness/cli.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

describe("cli az config", () => {
  const server = useKeyless();
  let env: Record<string, string>;

  const ok = async (...argv: string[]) => {
    const run = await runInProcess(argv, { env });
    assert.equal(run.code, 0, `keyless ${argv.join(" ")} failed:\n${run.stderr}`);
    return run.stdout;
  };

  function az(args: string[], azEnv: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile("az", args, { env: azEnv, timeout: 120_000 }, (error, stdout, stderr) =>
        done({ code: error ? Number(error.code) || 1 : 0, stdout, stderr }),
      );
    });
  }

  before(async () => {
    if (!azureCliInstalled) return;
    env = { KEYLESS_CONFIG_DIR: join(mkdtempSync(join(tmpdir(), "keyless-cli-az-")), "config") };
  });

  test("az 2.45 registers the cloud from keyless cloud az-config and signs in", {
    skip: !azureCliInstalled && "azure-cli not installed",
  }, async () => {
    const { facts } = server;
    const ca = process.env.KEYLESS_TEST_CA ?? facts.caPath;
    await ok("cloud", "register", "-n", "keyless", "--endpoint", facts.url, "--ca-file", ca);
    await ok("login", "-u", facts.adminUsername, "-p", ADMIN_PASSWORD);
    const sp = JSON.parse(
      await ok(
        "ad",
        "sp",
        "create-for-rbac",
        "-n",
        "az-config-app",
        "--role",
        RoleIds.reader,
        "--scopes",
        `/subscriptions/${facts.subscriptionId}`,
      ),
    );

    const azDir = mkdtempSync(join(tmpdir(), "keyless-az-config-"));
    const cloudFile = join(azDir, "cloud.json");
    writeFileSync(cloudFile, await ok("cloud", "az-config"));
    const envLines = await ok("cloud", "az-config", "--env");
    assert.ok(envLines.includes(`export REQUESTS_CA_BUNDLE=${ca}`));
    const azEnv = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: azDir,
      AZURE_CONFIG_DIR: azDir,
      REQUESTS_CA_BUNDLE: ca,
      AZURE_CORE_COLLECT_TELEMETRY: "false",
      AZURE_CORE_NO_COLOR: "true",
      AZURE_CORE_ONLY_SHOW_ERRORS: "true",
    };
    for (const args of [
      ["cloud", "register", "-n", "keyless", "--cloud-config", `@${cloudFile}`],
      ["cloud", "set", "-n", "keyless"],
    ]) {
      const run = await az(args, azEnv);
      assert.equal(run.code, 0, `az ${args.join(" ")}: ${run.stderr}`);
    }
    const login = await az(
      ["login", "--service-principal", "-u", sp.appId, "-p", sp.password, "--tenant", facts.tenantId, "-o", "json"],
      azEnv,
    );
    assert.equal(login.code, 0, login.stderr);
    const shown = await az(["account", "show", "--query", "id", "-o", "tsv"], azEnv);
    assert.equal(shown.stdout.trim(), facts.subscriptionId);

    // Debian's 2.45 `az role` fails on the client; the PYTHONPATH line az-config --env prints fixes it.
    const roleList = ["role", "definition", "list", "--name", "Reader", "--query", "[0].roleName", "-o", "tsv"];
    const broken = await az(roleList, azEnv);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stderr, /has no attribute 'config'/);
    const fixDir = /^export PYTHONPATH=(.+)\$\{PYTHONPATH:\+:\$PYTHONPATH\}$/m.exec(envLines)?.[1];
    assert.ok(fixDir, envLines);
    const fixed = await az(roleList, { ...azEnv, PYTHONPATH: fixDir });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(fixed.stdout, "Reader\n");
  });
});
