import { createHash, createPrivateKey, randomUUID, sign, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * A certificate credential's client assertion (RFC 7523, as Entra takes it): a JWT signed RS256 with the
 * certificate's key, `x5t` = the certificate's SHA-1 thumbprint, for the token endpoint's URL as audience.
 * The PEM file holds the certificate and its private key, as `az login --service-principal --certificate` takes it.
 */
export function clientAssertion(pemPath: string, clientId: string, tokenEndpoint: string, now = Math.floor(Date.now() / 1000)): string {
  const { certificatePem, keyPem } = pemBlocks(readFileSync(pemPath, "utf8"), pemPath);
  const certificate = new X509Certificate(certificatePem);
  const key = createPrivateKey(keyPem);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = { alg: "RS256", typ: "JWT", x5t: createHash("sha1").update(certificate.raw).digest("base64url") };
  const payload = { aud: tokenEndpoint, iss: clientId, sub: clientId, jti: randomUUID(), nbf: now, iat: now, exp: now + 600 };
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), key).toString("base64url")}`;
}

/** The certificate and private key blocks of a PEM file, each on its own lines, whatever joins them in the file. */
function pemBlocks(text: string, path: string): { certificatePem: string; keyPem: string } {
  const block = (label: RegExp) => new RegExp(`-----BEGIN (${label.source})-----[\\s\\S]*?-----END \\1-----`).exec(text)?.[0];
  const certificatePem = block(/CERTIFICATE/);
  const keyPem = block(/(?:RSA |EC |ENCRYPTED )?PRIVATE KEY/);
  if (!certificatePem || !keyPem)
    throw new Error(
      `${path} must hold the certificate and its private key as PEM (-----BEGIN CERTIFICATE----- and -----BEGIN PRIVATE KEY----- blocks).`,
    );
  return { certificatePem: `${certificatePem}\n`, keyPem: `${keyPem}\n` };
}
