import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CliError } from "../../src/cli/cli-error.ts";
import { openProfile } from "../../src/cli/profile.ts";
import { ARM_SCOPE, adminCredential } from "../harness/clients.ts";
import { startServer } from "../harness/keyless.ts";

/**
 * Threat: another local user reads a secret from disk — `keyless.db` and its WAL were created 0644 in a data dir
 * that already existed with 0755; the CLI's token cache went through a predictable temporary file opened without
 * O_EXCL, in a config dir whose mode was never checked.
 */

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

test("every file the server writes is 0600, even in an existing 0755 data dir under umask 022", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "keyless-perm-"));
  chmodSync(dataDir, 0o755);
  const previous = process.umask(0o022); // what the server inherits, as from a login shell
  // A child process: the umask it starts with is under test.
  const keyless = await startServer({ process: true, dataDir, env: { KEYLESS_STORAGE: `sqlite:${join(dataDir, "keyless.db")}` } });
  process.umask(previous);
  try {
    // A write, so the WAL and its index are in use.
    assert.ok(await adminCredential(keyless.facts).getToken(ARM_SCOPE));
    const files = filesUnder(dataDir);
    // (The suite serves one shared test certificate; test/unit/tls.test.ts checks the generated TLS files.)
    for (const name of ["keyless.db", "keyless.db-wal", "keyless.db-shm", "master.key"]) {
      assert.ok(files.includes(join(dataDir, name)), `${name} exists`);
    }
    for (const file of files) assert.equal(statSync(file).mode & 0o777, 0o600, file);
  } finally {
    await keyless.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the CLI writes its token cache through a fresh exclusive 0600 file: a planted link is never followed", () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-cli-perm-"));
  try {
    const victim = join(dir, "elsewhere.txt");
    writeFileSync(victim, "untouched");
    // The old predictable name: `${path}.${pid}.tmp`. A link planted there must not receive the tokens.
    symlinkSync(victim, join(dir, `token-cache.json.${process.pid}.tmp`));
    const profile = openProfile(dir);
    profile.putCloud({ name: "c", endpoint: "https://keyless.test" });
    profile.putCredential("c", { kind: "user", tenantId: "t", username: "u", refreshToken: "rt-secret", tokens: {} });
    assert.equal(readFileSync(victim, "utf8"), "untouched");
    assert.equal(statSync(join(dir, "token-cache.json")).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, "token-cache.json"), "utf8"), /rt-secret/);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith(".tmp") && !f.includes(String(process.pid))),
      [],
      "no temporary file is left behind",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a group- or world-writable config dir is refused, with the command that fixes it", () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-cli-perm-"));
  try {
    for (const mode of [0o770, 0o777]) {
      chmodSync(dir, mode);
      assert.throws(
        () => openProfile(dir),
        (err: Error) => err instanceof CliError && /writable by its group or by others/.test(err.message) && /chmod 700/.test(err.message),
      );
    }
    chmodSync(dir, 0o700);
    mkdirSync(join(dir, "sub"), { mode: 0o700 });
    assert.doesNotThrow(() => openProfile(join(dir, "sub")).putCloud({ name: "c", endpoint: "https://keyless.test" }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
