import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

/**
 * A tiny external OIDC issuer (like a Kubernetes service-account issuer): discovery + JWKS over https on the
 * test CA's certificate, and a function that mints tokens for a subject and audience.
 */
export async function startOidcIssuer() {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  /** The paths asked of this issuer, in order (a test can prove the service fetched nothing). */
  const requests: string[] = [];
  const jwk = { ...(await exportJWK(publicKey)), kid: "issuer-key-1", use: "sig", alg: "RS256" };
  const server = createServer(
    { key: readFileSync(process.env.KEYLESS_TEST_TLS_KEY!), cert: readFileSync(process.env.KEYLESS_TEST_TLS_CERT!) },
    (req, res) => {
      requests.push(req.url ?? "");
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/openid-configuration")
        res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ["RS256"] }));
      else if (req.url === "/keys") res.end(JSON.stringify({ keys: [jwk] }));
      else res.writeHead(404).end("{}");
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    requests,
    mint: (subject: string, audience: string, lifetimeSeconds = 600) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${lifetimeSeconds}s`)
        .sign(privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
