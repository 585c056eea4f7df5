import { createHash, X509Certificate } from "node:crypto";
import { type Clock, nowIso } from "../core/clock.ts";
import { InvalidInputError, NotFoundError } from "../core/errors.ts";
import { newGuid } from "../core/ids.ts";
import type { CredentialStore, FederatedCredentialRecord, KeyCredentialRecord } from "../storage/credential-store.ts";
import type { DirectoryStore } from "../storage/directory-store.ts";

interface NewKeyCredential {
  certificatePem: string;
  displayName?: string | null;
}
interface NewFederatedCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences?: string[];
  description?: string | null;
}

/** Entra's default audience for workload identity federation. */
const DEFAULT_FEDERATION_AUDIENCE = "api://AzureADTokenExchange";

/**
 * Certificates and federated identity credentials of applications. Graph-independent: the Graph surface, the
 * CLI and tests call these; the token service reads them through its IdentitySource.
 */
export function createAppCredentials(credentials: CredentialStore, directory: DirectoryStore, clock: Clock) {
  async function requireApplication(applicationId: string) {
    const application = await directory.getApplication(applicationId);
    if (!application) throw new NotFoundError("application", `No application with object id '${applicationId}' exists.`);
    return application;
  }

  return {
    /** Adds a public certificate (PEM); the certificate's own validity period bounds the credential. */
    async addKeyCredential(applicationId: string, input: NewKeyCredential): Promise<KeyCredentialRecord> {
      await requireApplication(applicationId);
      const certificate = parseCertificate(input.certificatePem);
      if (Date.parse(certificate.validTo) <= clock.now())
        throw new InvalidInputError("The certificate has already expired.", "keyCredentials");
      const record: KeyCredentialRecord = {
        keyId: newGuid(),
        applicationId,
        displayName: input.displayName ?? certificate.subject.replaceAll("\n", ", "),
        certificatePem: certificate.toString(),
        thumbprintSha1: thumbprint(certificate, "sha1"),
        thumbprintSha256: thumbprint(certificate, "sha256"),
        startAt: new Date(certificate.validFrom).toISOString(),
        endAt: new Date(certificate.validTo).toISOString(),
      };
      await credentials.insertKeyCredential(record);
      return record;
    },
    listKeyCredentials: (applicationId: string) => credentials.listKeyCredentials(applicationId),
    async removeKeyCredential(applicationId: string, keyId: string): Promise<void> {
      if (!(await credentials.deleteKeyCredential(applicationId, keyId)))
        throw new NotFoundError("keyCredential", `No certificate with key id '${keyId}' on this application.`);
    },

    async addFederatedCredential(applicationId: string, input: NewFederatedCredential): Promise<FederatedCredentialRecord> {
      await requireApplication(applicationId);
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$/.test(input.name))
        throw new InvalidInputError("name must be 1-120 letters, digits, '-' or '_'.", "name");
      if (!/^https:\/\/\S+$/.test(input.issuer)) throw new InvalidInputError("issuer must be an https URL.", "issuer");
      if (input.subject.trim() === "" || input.subject.length > 600)
        throw new InvalidInputError("subject must be 1-600 characters.", "subject");
      const audiences = input.audiences ?? [DEFAULT_FEDERATION_AUDIENCE];
      if (audiences.length !== 1 || audiences[0]!.trim() === "")
        throw new InvalidInputError("audiences must hold exactly one audience, as in Entra.", "audiences");
      const record: FederatedCredentialRecord = {
        id: newGuid(),
        applicationId,
        name: input.name,
        issuer: input.issuer,
        subject: input.subject,
        audiences,
        description: input.description ?? null,
        createdAt: nowIso(clock),
      };
      await credentials.insertFederatedCredential(record);
      return record;
    },
    listFederatedCredentials: (applicationId: string) => credentials.listFederatedCredentials(applicationId),
    async removeFederatedCredential(applicationId: string, idOrName: string): Promise<void> {
      if (!(await credentials.deleteFederatedCredential(applicationId, idOrName))) throw new NotFoundError("federatedIdentityCredential");
    },
  };
}

export type AppCredentials = ReturnType<typeof createAppCredentials>;

function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new InvalidInputError("key must be a PEM or DER X.509 certificate.", "keyCredentials");
  }
}

/** x5t / x5t#S256: base64url of the SHA-1 / SHA-256 digest of the DER certificate. */
function thumbprint(certificate: X509Certificate, algorithm: "sha1" | "sha256"): string {
  return createHash(algorithm).update(certificate.raw).digest("base64url");
}
