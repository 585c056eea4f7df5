import type { Kysely, Selectable } from "kysely";
import type { Tables } from "./tables.ts";
import { conflictOnDuplicate } from "./unique-violation.ts";

/** A certificate credential of an application: the public certificate and its thumbprints (x5t, x5t#S256). */
export interface KeyCredentialRecord {
  keyId: string;
  applicationId: string;
  displayName: string | null;
  certificatePem: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
  startAt: string;
  endAt: string;
}

/** Trust in tokens an external issuer mints for a workload (`issuer` + `subject`, for one of `audiences`). */
export interface FederatedCredentialRecord {
  id: string;
  applicationId: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description: string | null;
  createdAt: string;
}

export interface ManagedIdentityRecord {
  clientId: string;
  principalId: string;
  tenantId: string;
  resourceId: string;
  kind: "SystemAssigned" | "UserAssigned";
  name: string;
  endpointSecretHash: string;
  /** The endpoint secret sealed with the master key, so an operator can print a workload's settings again. */
  sealedEndpointSecret: string;
  createdAt: string;
}

/** Application certificates, federated identity credentials and managed identities. */
export function credentialStore(db: Kysely<Tables>) {
  return {
    async insertKeyCredential(k: KeyCredentialRecord): Promise<void> {
      await db
        .insertInto("key_credentials")
        .values({
          key_id: k.keyId,
          application_id: k.applicationId,
          display_name: k.displayName,
          certificate_pem: k.certificatePem,
          thumbprint_sha1: k.thumbprintSha1,
          thumbprint_sha256: k.thumbprintSha256,
          start_at: k.startAt,
          end_at: k.endAt,
        })
        .execute();
    },
    async listKeyCredentials(applicationId: string): Promise<KeyCredentialRecord[]> {
      const rows = await db
        .selectFrom("key_credentials")
        .selectAll()
        .where("application_id", "=", applicationId)
        .orderBy("start_at")
        .execute();
      return rows.map(toKeyCredential);
    },
    async deleteKeyCredential(applicationId: string, keyId: string): Promise<boolean> {
      const result = await db
        .deleteFrom("key_credentials")
        .where("application_id", "=", applicationId)
        .where("key_id", "=", keyId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async insertFederatedCredential(f: FederatedCredentialRecord): Promise<void> {
      await conflictOnDuplicate(
        () =>
          db
            .insertInto("federated_credentials")
            .values({
              id: f.id,
              application_id: f.applicationId,
              name: f.name,
              issuer: f.issuer,
              subject: f.subject,
              audiences: JSON.stringify(f.audiences),
              description: f.description,
              created_at: f.createdAt,
            })
            .execute(),
        `A federated identity credential named '${f.name}' already exists on this application.`,
      );
    },
    async listFederatedCredentials(applicationId: string): Promise<FederatedCredentialRecord[]> {
      const rows = await db
        .selectFrom("federated_credentials")
        .selectAll()
        .where("application_id", "=", applicationId)
        .orderBy("created_at")
        .execute();
      return rows.map(toFederatedCredential);
    },
    async deleteFederatedCredential(applicationId: string, idOrName: string): Promise<boolean> {
      const result = await db
        .deleteFrom("federated_credentials")
        .where("application_id", "=", applicationId)
        .where((eb) => eb.or([eb("id", "=", idOrName), eb("name", "=", idOrName)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async findManagedIdentityBySecretHash(hash: string): Promise<ManagedIdentityRecord | undefined> {
      const row = await db.selectFrom("managed_identities").selectAll().where("endpoint_secret_hash", "=", hash).executeTakeFirst();
      return row && toManagedIdentity(row);
    },
    async findManagedIdentityByResourceId(resourceId: string): Promise<ManagedIdentityRecord | undefined> {
      const row = await db
        .selectFrom("managed_identities")
        .selectAll()
        .where("resource_id_key", "=", resourceId.toLowerCase())
        .executeTakeFirst();
      return row && toManagedIdentity(row);
    },
    async getManagedIdentity(clientId: string): Promise<ManagedIdentityRecord | undefined> {
      const row = await db.selectFrom("managed_identities").selectAll().where("client_id", "=", clientId).executeTakeFirst();
      return row && toManagedIdentity(row);
    },
    async updateManagedIdentitySecret(clientId: string, hash: string, sealed: string): Promise<void> {
      await db
        .updateTable("managed_identities")
        .set({ endpoint_secret_hash: hash, sealed_endpoint_secret: sealed })
        .where("client_id", "=", clientId)
        .execute();
    },
    /** Deletes the identity and its service principal together. */
    async deleteManagedIdentity(clientId: string): Promise<ManagedIdentityRecord | undefined> {
      return db.transaction().execute(async (tx) => {
        const row = await tx.selectFrom("managed_identities").selectAll().where("client_id", "=", clientId).executeTakeFirst();
        if (!row) return undefined;
        await tx.deleteFrom("managed_identities").where("client_id", "=", clientId).execute();
        await tx.deleteFrom("service_principals").where("id", "=", row.principal_id).execute();
        return toManagedIdentity(row);
      });
    },
    /** Inserts the managed identity's service principal and the identity in one transaction. */
    async insertManagedIdentityWithPrincipal(m: ManagedIdentityRecord, displayName: string): Promise<void> {
      await conflictOnDuplicate(
        () =>
          db.transaction().execute(async (tx) => {
            await tx
              .insertInto("service_principals")
              .values({
                id: m.principalId,
                tenant_id: m.tenantId,
                app_id: m.clientId,
                display_name: displayName,
                service_principal_type: "ManagedIdentity",
                created_at: m.createdAt,
              })
              .execute();
            await tx
              .insertInto("managed_identities")
              .values({
                client_id: m.clientId,
                principal_id: m.principalId,
                tenant_id: m.tenantId,
                resource_id_key: m.resourceId.toLowerCase(),
                resource_id: m.resourceId,
                kind: m.kind,
                name: m.name,
                endpoint_secret_hash: m.endpointSecretHash,
                sealed_endpoint_secret: m.sealedEndpointSecret,
                created_at: m.createdAt,
              })
              .execute();
          }),
        `A managed identity for resource '${m.resourceId}' already exists.`,
      );
    },
  };
}

export type CredentialStore = ReturnType<typeof credentialStore>;

function toKeyCredential(r: Selectable<Tables["key_credentials"]>): KeyCredentialRecord {
  return {
    keyId: r.key_id,
    applicationId: r.application_id,
    displayName: r.display_name,
    certificatePem: r.certificate_pem,
    thumbprintSha1: r.thumbprint_sha1,
    thumbprintSha256: r.thumbprint_sha256,
    startAt: r.start_at,
    endAt: r.end_at,
  };
}

function toFederatedCredential(r: Selectable<Tables["federated_credentials"]>): FederatedCredentialRecord {
  return {
    id: r.id,
    applicationId: r.application_id,
    name: r.name,
    issuer: r.issuer,
    subject: r.subject,
    audiences: JSON.parse(r.audiences) as string[],
    description: r.description,
    createdAt: r.created_at,
  };
}

function toManagedIdentity(r: Selectable<Tables["managed_identities"]>): ManagedIdentityRecord {
  return {
    clientId: r.client_id,
    principalId: r.principal_id,
    tenantId: r.tenant_id,
    resourceId: r.resource_id,
    kind: r.kind as ManagedIdentityRecord["kind"],
    name: r.name,
    endpointSecretHash: r.endpoint_secret_hash,
    sealedEndpointSecret: r.sealed_endpoint_secret,
    createdAt: r.created_at,
  };
}
