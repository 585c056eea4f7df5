// TLS material for the HTTPS origin: a local CA plus a server certificate it signs, kept in the data dir,
// or certificate files supplied by the user. MSAL, the Azure CLI and the SDKs refuse plain http.
import { createPrivateKey, KeyObject, randomBytes, webcrypto, X509Certificate } from "node:crypto";
import { access, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import type { Extension, PublicKeyType, X509CertificateCreateParamsName } from "@peculiar/x509";

export interface TlsMaterial {
  caPath: string;
  certPath: string;
  keyPath: string;
  /** PEM private key of the server certificate. */
  key: string;
  /** PEM: server certificate followed by the CA certificate (local CA) or the user's file as is. */
  cert: string;
  /** PEM of the local CA; "" for user-supplied material. */
  ca: string;
  generated: boolean;
}

interface Pem {
  cert: string;
  key: string;
}

// RSA 2048 / SHA-256: accepted by every TLS stack we serve (OpenSSL behind Python and Node, BoringSSL in
// Chromium), and keyEncipherment is meaningful for it.
const KEY_ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const DAY_MS = 86_400_000;
const CA_DAYS = 3650;
const SERVER_DAYS = 397;
const RENEW_WITHIN_DAYS = 30;
const BACKDATE_MS = 5 * 60_000;
const DEFAULT_HOSTS = ["localhost", "127.0.0.1", "::1"];

type X509 = typeof import("@peculiar/x509");
interface Issuer {
  name: X509CertificateCreateParamsName;
  key: webcrypto.CryptoKey;
  publicKey: PublicKeyType;
}
let x509Module: Promise<X509> | undefined;

export async function ensureLocalTls(dir: string, hostnames: readonly string[]): Promise<TlsMaterial> {
  const paths = {
    caPath: join(dir, "ca.pem"),
    caKeyPath: join(dir, "ca-key.pem"),
    certPath: join(dir, "server.pem"),
    keyPath: join(dir, "server-key.pem"),
  };
  const hosts = normalizeHosts(hostnames);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let ca = await readPair(paths.caPath, paths.caKeyPath, "local CA");
  let generated = false;
  if (ca === undefined || !caIsUsable(ca)) {
    ca = await createCa();
    await writePair(paths.caPath, paths.caKeyPath, ca);
    generated = true;
  }
  let server = await readPair(paths.certPath, paths.keyPath, "server");
  if (generated || server === undefined || !serverCertIsUsable(server, ca, hosts)) {
    server = await issueServerCert(ca, hosts);
    await writePair(paths.certPath, paths.keyPath, server);
    generated = true;
  }
  return {
    caPath: paths.caPath,
    certPath: paths.certPath,
    keyPath: paths.keyPath,
    key: server.key,
    cert: server.cert + ca.cert,
    ca: ca.cert,
    generated,
  };
}

export async function loadUserTls(certPath: string, keyPath: string): Promise<TlsMaterial> {
  const cert = await readText(certPath, "TLS certificate");
  const key = await readText(keyPath, "TLS key");
  assertKeyMatches({ cert, key }, certPath, keyPath, "TLS");
  return { caPath: certPath, certPath, keyPath, key, cert, ca: "", generated: false };
}

/** Lower-cased, brackets stripped from IPv6 literals, defaults first, no duplicates. */
function normalizeHosts(hostnames: readonly string[]): string[] {
  const extra = hostnames
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, "$1"),
    )
    .filter((h) => h !== "");
  return [...new Set([...DEFAULT_HOSTS, ...extra])];
}

async function createCa(): Promise<Pem> {
  const x509 = await loadX509();
  const keys = await generateKeys();
  const name = `CN=Keyless Local CA ${randomBytes(4).toString("hex")}`;
  return sign(x509, keys, name, { name, key: keys.privateKey, publicKey: keys.publicKey }, CA_DAYS, [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ]);
}

async function issueServerCert(ca: Pem, hosts: readonly string[]): Promise<Pem> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = createPrivateKey(ca.key).toCryptoKey(KEY_ALGORITHM, false, ["sign"]);
  return sign(
    x509,
    await generateKeys(),
    "CN=localhost",
    { name: caCert.subjectName, key: caKey, publicKey: caCert.publicKey },
    SERVER_DAYS,
    [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((value) => ({ type: isIP(value) ? "ip" : "dns", value }))),
    ],
  );
}

/** A certificate for `keys` signed by `issuer` (itself for the CA), with key identifiers and a random serial. */
async function sign(
  x509: X509,
  keys: webcrypto.CryptoKeyPair,
  subject: string,
  issuer: Issuer,
  days: number,
  extensions: Extension[],
): Promise<Pem> {
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: issuer.name,
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: issuer.key,
    extensions: [
      ...extensions,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey),
    ],
  });
  return { cert: `${cert.toString("pem")}\n`, key: KeyObject.from(keys.privateKey).export({ type: "pkcs8", format: "pem" }).toString() };
}

function assertKeyMatches(pem: Pem, certPath: string, keyPath: string, what: string): void {
  const cert = parseOrThrow(certPath, `${what} certificate`, () => new X509Certificate(pem.cert));
  const key = parseOrThrow(keyPath, `${what} key`, () => createPrivateKey(pem.key));
  if (!cert.checkPrivateKey(key)) throw new Error(`${what} key file ${keyPath} does not match the certificate in ${certPath}`);
}

/** Matching its key and able to sign a full-length server certificate (so it is replaced in its tenth year). */
function caIsUsable(ca: Pem): boolean {
  try {
    const cert = new X509Certificate(ca.cert);
    return cert.checkPrivateKey(createPrivateKey(ca.key)) && cert.validToDate.getTime() - Date.now() > SERVER_DAYS * DAY_MS;
  } catch {
    return false;
  }
}

/** Signed by this CA, matching its key, valid for 30 more days and covering every requested host. */
function serverCertIsUsable(server: Pem, ca: Pem, hosts: readonly string[]): boolean {
  try {
    const cert = new X509Certificate(server.cert);
    const caCert = new X509Certificate(ca.cert);
    if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) return false;
    if (!cert.checkPrivateKey(createPrivateKey(server.key))) return false;
    if (cert.validToDate.getTime() - Date.now() < RENEW_WITHIN_DAYS * DAY_MS) return false;
    return hosts.every((h) => (isIP(h) ? cert.checkIP(h) : cert.checkHost(h, { subject: "never", wildcards: false })) !== undefined);
  } catch {
    return false;
  }
}

/**
 * Loaded on first issue only, so a start with valid certificates does not pay for it. @peculiar/x509 loads
 * tsyringe, which needs the reflect-metadata polyfill installed first.
 */
async function loadX509(): Promise<X509> {
  x509Module ??= import("reflect-metadata").then(() => import("@peculiar/x509"));
  return x509Module;
}

function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
}

/** Positive 128-bit serial (the high bit clear so DER needs no sign byte, never zero). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString("hex");
}

/** Both files, or undefined when either is missing (then both are written anew, key first). */
async function readPair(certPath: string, keyPath: string, what: string): Promise<Pem | undefined> {
  const exists = (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );
  if (!(await exists(certPath)) || !(await exists(keyPath))) return undefined;
  return { cert: await readText(certPath, `${what} certificate`), key: await readText(keyPath, `${what} key`) };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${what} file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function parseOrThrow<T>(path: string, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new Error(`${what} file ${path} is not valid PEM: ${(err as Error).message}`, { cause: err });
  }
}

/** Key first, then certificate: a crash in between leaves a missing file or a mismatch, both replaced next time. */
async function writePair(certPath: string, keyPath: string, pem: Pem): Promise<void> {
  await writeAtomic(keyPath, pem.key, 0o600);
  // Public, but kept private like every file Keyless writes: the owner (and whoever it hands ca.pem to) reads it.
  await writeAtomic(certPath, pem.cert, 0o600);
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, data, { mode, flag: "wx", flush: true });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
