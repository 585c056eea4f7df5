import { createHash, createPrivateKey, randomUUID, sign, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * A certificate credential's client assertion (RFC 7523, as Entra takes it): a JWT signed RS256 with the
 * certificate's key, `x5t` = the certificate's SHA-1 thumbprint, for the token endpoint's URL as audience.
 * The PEM file holds the certificate and its private key, as `az login --service-principal --certificate` takes it.
 */
export function clientAssertion(pemPath: string, clientId: string, tokenEndpoint: string, now = Math.floor(Date.now() / 1000)): string {
  const pem = readFileSync(pemPath, "utf8");
  const certificate = new X509Certificate(pem);
  const key = createPrivateKey(pem);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = { alg: "RS256", typ: "JWT", x5t: createHash("sha1").update(certificate.raw).digest("base64url") };
  const payload = { aud: tokenEndpoint, iss: clientId, sub: clientId, jti: randomUUID(), nbf: now, iat: now, exp: now + 600 };
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), key).toString("base64url")}`;
}
