import { randomBytes } from "node:crypto";
import { type Clock, nowIso } from "../core/clock.ts";
import { InvalidInputError, NotFoundError } from "../core/errors.ts";
import { newGuid } from "../core/ids.ts";
import type { SealedBox } from "../core/sealed-box.ts";
import type { CredentialStore, ManagedIdentityRecord } from "../storage/credential-store.ts";

interface ManagedIdentity {
  clientId: string;
  principalId: string;
  tenantId: string;
  resourceId: string;
  kind: "SystemAssigned" | "UserAssigned";
  name: string;
}

interface NewManagedIdentity {
  tenantId: string;
  resourceId: string;
  name: string;
  kind?: "SystemAssigned" | "UserAssigned";
}

/** Where a managed identity's endpoints live on our origin; the secret segment proves which identity calls. */
const MANAGED_IDENTITY_PREFIX = "/managed-identity";

/**
 * Managed identities: a service principal of type ManagedIdentity (principalId) whose appId is the client id,
 * bound to one ARM resource id. Each identity has an endpoint secret the workload presents (App Service header,
 * or a path segment for IMDS and MSI_ENDPOINT, whose clients send no secret header); only a keyed digest is
 * used for look-up, and a sealed copy lets an operator print the workload's settings again.
 */
export function createManagedIdentities(credentials: CredentialStore, box: SealedBox, clock: Clock) {
  const toIdentity = (r: ManagedIdentityRecord): ManagedIdentity => ({
    clientId: r.clientId,
    principalId: r.principalId,
    tenantId: r.tenantId,
    resourceId: r.resourceId,
    kind: r.kind,
    name: r.name,
  });

  async function require(clientIdOrResourceId: string): Promise<ManagedIdentityRecord> {
    const record = clientIdOrResourceId.startsWith("/")
      ? await credentials.findManagedIdentityByResourceId(clientIdOrResourceId)
      : await credentials.getManagedIdentity(clientIdOrResourceId.toLowerCase());
    if (!record) throw new NotFoundError("managedIdentity", `No managed identity '${clientIdOrResourceId}' exists.`);
    return record;
  }

  return {
    /** Creates the identity and its service principal; `resourceId` is the user-assigned identity or the resource it belongs to. */
    async createManagedIdentity(input: NewManagedIdentity): Promise<ManagedIdentity> {
      if (!/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/.+/i.test(input.resourceId)) {
        throw new InvalidInputError("resourceId must be an ARM resource id (/subscriptions/…/resourceGroups/…/providers/…).", "resourceId");
      }
      const secret = newEndpointSecret();
      const record: ManagedIdentityRecord = {
        clientId: newGuid(),
        principalId: newGuid(),
        tenantId: input.tenantId,
        resourceId: input.resourceId,
        kind: input.kind ?? "UserAssigned",
        name: input.name,
        endpointSecretHash: box.lookupDigest(secret),
        sealedEndpointSecret: box.seal(secret),
        createdAt: nowIso(clock),
      };
      await credentials.insertManagedIdentityWithPrincipal(record, input.name);
      return toIdentity(record);
    },

    async deleteManagedIdentity(clientIdOrResourceId: string): Promise<ManagedIdentity> {
      const record = await require(clientIdOrResourceId);
      await credentials.deleteManagedIdentity(record.clientId);
      return toIdentity(record);
    },

    async getManagedIdentity(clientIdOrResourceId: string): Promise<ManagedIdentity | undefined> {
      try {
        return toIdentity(await require(clientIdOrResourceId));
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }
    },

    /** The identity a workload proves with its endpoint secret, or undefined. */
    async findByEndpointSecret(secret: string): Promise<ManagedIdentity | undefined> {
      if (secret.length !== 64) return undefined;
      const record = await credentials.findManagedIdentityBySecretHash(box.lookupDigest(secret.toLowerCase()));
      return record && toIdentity(record);
    },

    /** Replaces the endpoint secret (the old one stops working at once). */
    async rotateEndpointSecret(clientIdOrResourceId: string): Promise<void> {
      const record = await require(clientIdOrResourceId);
      const secret = newEndpointSecret();
      await credentials.updateManagedIdentitySecret(record.clientId, box.lookupDigest(secret), box.seal(secret));
    },

    /** The environment lines a workload needs to use this identity through each supported endpoint style. */
    async workloadEnvironment(
      clientIdOrResourceId: string,
      origin: string,
    ): Promise<{ appService: string[]; imds: string[]; azureCli: string[] }> {
      const record = await require(clientIdOrResourceId);
      const secret = box.open(record.sealedEndpointSecret);
      const base = `${origin}${MANAGED_IDENTITY_PREFIX}`;
      return {
        appService: [`IDENTITY_ENDPOINT=${base}/app-service`, `IDENTITY_HEADER=${secret}`],
        imds: [`AZURE_POD_IDENTITY_AUTHORITY_HOST=${base}/${secret}`],
        azureCli: [`MSI_ENDPOINT=${base}/${secret}/msi/token`],
      };
    },
  };
}

export type ManagedIdentities = ReturnType<typeof createManagedIdentities>;

/** 256 random bits as lower-case hex: MSAL lower-cases the whole IMDS URL, so a path secret must survive that. */
function newEndpointSecret(): string {
  return randomBytes(32).toString("hex");
}
