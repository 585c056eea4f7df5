import { X509Certificate } from "node:crypto";
import { call } from "./clients.ts";
import type { ReadyFacts } from "./keyless-process.ts";

/** The base64 DER body Graph's `keyCredentials[].key` takes, from a PEM certificate. */
export function certificateKey(certificatePem: string): string {
  return new X509Certificate(certificatePem).raw.toString("base64");
}

/** Adds a certificate to an application through Graph (PATCH keyCredentials keeps the ones already there). */
export async function addCertificate(
  facts: ReadyFacts,
  adminGraphToken: string,
  applicationId: string,
  certificatePem: string,
  displayName = "test certificate",
) {
  const graph = `${facts.url}/graph/v1.0`;
  const current = await call("GET", `${graph}/applications/${applicationId}`, adminGraphToken);
  const kept = (current.body.keyCredentials as { keyId: string }[]).map((k) => ({ keyId: k.keyId }));
  const patch = await call("PATCH", `${graph}/applications/${applicationId}`, adminGraphToken, {
    keyCredentials: [...kept, { type: "AsymmetricX509Cert", usage: "Verify", key: certificateKey(certificatePem), displayName }],
  });
  if (patch.status !== 204) throw new Error(`adding a certificate failed: ${patch.status} ${JSON.stringify(patch.body)}`);
}

/** Trusts an external issuer's tokens for one subject on an application, through Graph. */
export async function addFederatedCredential(
  facts: ReadyFacts,
  adminGraphToken: string,
  applicationId: string,
  credential: { name: string; issuer: string; subject: string; audiences?: string[] },
) {
  const created = await call(
    "POST",
    `${facts.url}/graph/v1.0/applications/${applicationId}/federatedIdentityCredentials`,
    adminGraphToken,
    credential,
  );
  if (created.status !== 201) throw new Error(`adding a federated credential failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body as { id: string; name: string; audiences: string[] };
}
