import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, get, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, mock, test } from "node:test";
import { ensureLocalTls, loadUserTls, type TlsMaterial } from "../../src/http/tls.ts";

const DAY_MS = 86_400_000;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "keyless-tls-"));
}

/** Resolves with stdout, or with undefined when the program is not installed. */
function run(file: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === "ENOENT") resolve(undefined);
      else if (err) reject(new Error(`${file} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

async function listen(tls: TlsMaterial, host: string): Promise<Server | undefined> {
  const server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end("ok"));
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRNOTAVAIL" || err.code === "EAFNOSUPPORT") resolve(undefined);
      else reject(err);
    });
    server.listen(0, host, () => resolve(server));
  });
}

function port(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** GET over https trusting only `ca` (no system roots); `family: 4` keeps localhost on 127.0.0.1. */
function fetchText(url: string, ca: string, family?: 4): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca, agent: false, ...(family ? { family } : {}) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
  });
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

describe("ensureLocalTls", () => {
  let dir: string;
  let tls: TlsMaterial;
  let server: Server | undefined;
  let server6: Server | undefined;

  before(async () => {
    dir = await tempDir();
    tls = await ensureLocalTls(join(dir, "nested", "tls"), []);
    server = await listen(tls, "127.0.0.1");
    server6 = await listen(tls, "::1");
  });
  after(async () => {
    await Promise.all([close(server), close(server6)]);
    await rm(dir, { recursive: true, force: true });
  });

  test("creates a CA and a server certificate with private keys 0600", async () => {
    assert.equal(tls.generated, true);
    assert.match(new X509Certificate(tls.ca).subject, /^CN=Keyless Local CA [0-9a-f]{8}$/);
    assert.equal(tls.cert.match(/BEGIN CERTIFICATE/g)?.length, 2);
    assert.ok(tls.cert.endsWith(tls.ca));
    for (const name of ["ca-key.pem", "server-key.pem"]) {
      assert.equal((await stat(join(dir, "nested", "tls", name))).mode & 0o777, 0o600, name);
    }
    assert.deepEqual((await readdir(join(dir, "nested", "tls"))).sort(), ["ca-key.pem", "ca.pem", "server-key.pem", "server.pem"]);
  });

  test("Node accepts it for 127.0.0.1, localhost and ::1, trusting only the CA", async (t) => {
    assert.ok(server);
    assert.equal(await fetchText(`https://127.0.0.1:${port(server)}/`, tls.ca), "ok");
    assert.equal(await fetchText(`https://localhost:${port(server)}/`, tls.ca, 4), "ok");
    if (!server6) t.skip("no IPv6 loopback");
    else assert.equal(await fetchText(`https://[::1]:${port(server6)}/`, tls.ca), "ok");
  });

  test("a client without the CA refuses it", async () => {
    assert.ok(server);
    await assert.rejects(fetchText(`https://127.0.0.1:${port(server)}/`, ""), /self[- ]signed|unable to (get|verify)/i);
  });

  test("openssl verifies the chain strictly for TLS server use", async (t) => {
    const out = await run("openssl", ["verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", tls.caPath, tls.certPath]);
    if (out === undefined) t.skip("openssl not installed");
    else assert.match(out, /: OK/);
  });

  test("Python's ssl (the Azure CLI's stack) accepts it, with X509_STRICT on", async (t) => {
    assert.ok(server);
    const script = [
      "import socket, ssl, sys",
      "ctx = ssl.create_default_context(cafile=sys.argv[1])",
      "ctx.verify_flags |= ssl.VERIFY_X509_STRICT",
      'for name in ("localhost", "127.0.0.1"):',
      '    with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10) as raw:',
      "        with ctx.wrap_socket(raw, server_hostname=name) as s:",
      "            print(name, s.version())",
    ].join("\n");
    const out = await run("python3", ["-c", script, tls.caPath, String(port(server))]);
    if (out === undefined) t.skip("python3 not installed");
    else assert.match(out, /^localhost TLS.*\n127\.0\.0\.1 TLS/);
  });

  test("a second call reuses both certificates", async () => {
    const again = await ensureLocalTls(join(dir, "nested", "tls"), ["LOCALHOST", "[::1]"]);
    assert.equal(again.generated, false);
    assert.equal(again.ca, tls.ca);
    assert.equal(again.cert, tls.cert);
    assert.equal(again.key, tls.key);
  });
});

describe("ensureLocalTls reissues only the server certificate", () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    mock.timers.reset();
    await rm(dir, { recursive: true, force: true });
  });

  test("when a new hostname is requested", async () => {
    const first = await ensureLocalTls(dir, ["keyless.test"]);
    const second = await ensureLocalTls(dir, ["keyless.test", "other.test", "10.9.8.7"]);
    assert.equal(second.generated, true);
    assert.equal(second.ca, first.ca);
    assert.notEqual(second.cert, first.cert);
    const cert = new X509Certificate(second.cert);
    assert.equal(cert.checkHost("other.test"), "other.test");
    assert.equal(cert.checkIP("10.9.8.7"), "10.9.8.7");
    assert.ok(cert.checkIssued(new X509Certificate(second.ca)));
    const out = await run("openssl", ["verify", "-x509_strict", "-CAfile", second.caPath, second.certPath]);
    if (out !== undefined) assert.match(out, /: OK/);
  });

  test("when its key does not match (a crash between the two writes)", async () => {
    const before = await ensureLocalTls(dir, []);
    await writeFile(join(dir, "server-key.pem"), await readFile(join(dir, "ca-key.pem")));
    const after = await ensureLocalTls(dir, []);
    assert.equal(after.generated, true);
    assert.equal(after.ca, before.ca);
    assert.notEqual(after.key, before.key);
  });

  test("when it expires within 30 days", async () => {
    const before = await ensureLocalTls(dir, []);
    const validTo = new X509Certificate(before.cert).validToDate.getTime();
    mock.timers.enable({ apis: ["Date"], now: validTo - 31 * DAY_MS });
    assert.equal((await ensureLocalTls(dir, [])).generated, false);
    mock.timers.setTime(validTo - 29 * DAY_MS);
    const renewed = await ensureLocalTls(dir, []);
    mock.timers.reset();
    assert.equal(renewed.generated, true);
    assert.equal(renewed.ca, before.ca);
    assert.ok(new X509Certificate(renewed.cert).validToDate.getTime() > validTo);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });
});

test("ensureLocalTls replaces a CA whose key does not match (and then the server certificate)", async () => {
  const dir = await tempDir();
  try {
    const first = await ensureLocalTls(dir, []);
    await writeFile(join(dir, "ca-key.pem"), first.key);
    const second = await ensureLocalTls(dir, []);
    assert.equal(second.generated, true);
    assert.notEqual(second.ca, first.ca);
    assert.ok(new X509Certificate(second.cert).checkIssued(new X509Certificate(second.ca)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe("loadUserTls", () => {
  test("returns the files as they are", async () => {
    const dir = await tempDir();
    try {
      const local = await ensureLocalTls(dir, []);
      const user = await loadUserTls(local.certPath, local.keyPath);
      assert.deepEqual(user, {
        caPath: local.certPath,
        certPath: local.certPath,
        keyPath: local.keyPath,
        key: local.key,
        cert: local.cert.slice(0, -local.ca.length),
        ca: "",
        generated: false,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("names the file it cannot read or parse", async () => {
    const dir = await tempDir();
    try {
      const missing = join(dir, "missing.pem");
      await assert.rejects(loadUserTls(missing, missing), (err: Error) => err.message.includes(missing));
      const junk = join(dir, "junk.pem");
      await writeFile(junk, "not a certificate");
      await assert.rejects(loadUserTls(junk, junk), (err: Error) => err.message.includes(junk) && /certificate/.test(err.message));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
