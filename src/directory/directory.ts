import { type Clock, nowIso } from "../core/clock.ts";
import { InvalidInputError, NotFoundError } from "../core/errors.ts";
import { newGuid, newSecret } from "../core/ids.ts";
import type { DirectoryStore } from "../storage/directory-store.ts";
import type { ApplicationRecord, ServicePrincipalRecord, TenantRecord, UserRecord } from "../storage/records.ts";
import { directoryRoleChecks } from "./directory-roles.ts";
import { createGroups } from "./groups.ts";
import type { Principal } from "./principals.ts";
import { clientSecretHasher, type KeyedDigest } from "./client-secrets.ts";
import { hashSecret, verifySecret } from "./secret-hash.ts";
import { checkTextLengths } from "./text-limits.ts";
import { checkPasswordPolicy, createUsers } from "./users.ts";

interface NewPassword {
  keyId: string;
  secretText: string;
  hint: string;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
}

const DEFAULT_SECRET_LIFETIME_MS = 2 * 365 * 24 * 3600 * 1000;
const timingDecoy = hashSecret("keyless-timing-decoy");

/**
 * Tenants, users, applications and service principals, and their credentials. `keyedDigest` hashes client secrets
 * (see client-secrets.ts); main.ts gives it the sealed box's keyed digest.
 */
export function createDirectory(store: DirectoryStore, clock: Clock, keyedDigest: KeyedDigest) {
  const now = () => nowIso(clock);
  const clientSecrets = clientSecretHasher(keyedDigest);
  const roles = directoryRoleChecks(store);

  async function getPrincipal(id: string): Promise<Principal | undefined> {
    const user = await store.getUser(id);
    if (user) return userPrincipal(user);
    const sp = await store.getServicePrincipal(id);
    return sp && servicePrincipal(sp);
  }

  async function requireApplication(id: string): Promise<ApplicationRecord> {
    const application = await store.getApplication(id.toLowerCase());
    if (!application) throw new NotFoundError(id);
    return application;
  }

  return {
    ...createUsers(store, clock),
    ...createGroups(store, clock),
    ...roles,
    getPrincipal,
    /** The object's type as a role assignment names it (`User`, `Group`, `ServicePrincipal`), in one look-up. */
    async principalType(id: string): Promise<"User" | "Group" | "ServicePrincipal" | undefined> {
      const kind = await store.objectKind(id.toLowerCase());
      return kind && ({ user: "User", group: "Group", servicePrincipal: "ServicePrincipal" } as const)[kind];
    },
    /** Whether a token's subject may still use it: gone (`deleted`), a disabled user, or `active`. */
    async principalStatus(objectId: string): Promise<"active" | "disabled" | "deleted"> {
      const principal = await getPrincipal(objectId);
      if (!principal) return "deleted";
      return principal.kind === "user" && !principal.enabled ? "disabled" : "active";
    },
    /** Whether the principal is a Global Administrator of that tenant (who may create subscriptions). */
    async isGlobalAdministrator(principalId: string, tenantId: string): Promise<boolean> {
      const [principal, mayAssign] = await Promise.all([getPrincipal(principalId), roles.mayAssignDirectoryRoles(principalId)]);
      return principal?.tenantId === tenantId && mayAssign;
    },
    getTenant: (id: string) => store.getTenant(id),
    listTenants: () => store.listTenants(),

    async createTenant(displayName: string, defaultDomain: string, id = newGuid()): Promise<TenantRecord> {
      const tenant = { id, displayName, defaultDomain, createdAt: now() };
      await store.insertTenant(tenant);
      return tenant;
    },

    async createUser(
      tenantId: string,
      input: {
        userPrincipalName: string;
        displayName: string;
        password: string;
        mailNickname?: string;
        accountEnabled?: boolean;
        enforcePasswordPolicy?: boolean;
      },
    ): Promise<UserRecord> {
      if (!/^[^@\s]+@[^@\s]+$/.test(input.userPrincipalName)) {
        throw new InvalidInputError(`'${input.userPrincipalName}' is not a valid user principal name (name@domain).`, "userPrincipalName");
      }
      checkTextLengths("User", { displayName: input.displayName });
      if (input.enforcePasswordPolicy) checkPasswordPolicy(input.password);
      const user: UserRecord = {
        id: newGuid(),
        tenantId,
        userPrincipalName: input.userPrincipalName,
        displayName: input.displayName,
        passwordHash: await hashSecret(input.password),
        accountEnabled: input.accountEnabled ?? true,
        createdAt: now(),
        mailNickname: input.mailNickname ?? input.userPrincipalName.split("@")[0]!,
      };
      await store.insertUser(user);
      return user;
    },

    /** Registers an application; like `az ad sp create-for-rbac`, it can create its service principal at once. */
    async createApplication(
      tenantId: string,
      displayName: string,
      withServicePrincipal: boolean,
    ): Promise<{ application: ApplicationRecord; servicePrincipal?: ServicePrincipalRecord }> {
      checkTextLengths("Application", { displayName });
      const application = { id: newGuid(), tenantId, appId: newGuid(), displayName, createdAt: now() };
      const sp = withServicePrincipal ? newServicePrincipal(application, now()) : undefined;
      await store.insertApplication(application, sp);
      return sp ? { application, servicePrincipal: sp } : { application };
    },

    async createServicePrincipal(tenantId: string, appId: string): Promise<ServicePrincipalRecord> {
      const application = await store.findApplicationByAppId(appId);
      if (!application || application.tenantId !== tenantId)
        throw new NotFoundError("application", `No application with appId '${appId}' exists in this tenant.`);
      const sp = newServicePrincipal(application, now());
      await store.insertServicePrincipal(sp);
      return sp;
    },

    getApplication: (id: string) => store.getApplication(id.toLowerCase()),
    listApplications: (tenantId: string) => store.listApplications(tenantId),
    async updateApplication(id: string, changes: { displayName?: string }): Promise<ApplicationRecord> {
      checkTextLengths("Application", changes);
      const application = { ...(await requireApplication(id)), ...changes };
      await store.updateApplication(application);
      return application;
    },
    /** Deletes the application with its secrets and its service principal, as Entra does. */
    async deleteApplication(id: string): Promise<void> {
      await store.deleteApplication(await requireApplication(id), now());
    },
    /** The application's secrets without their hashes. */
    async listPasswords(applicationId: string) {
      const credentials = await store.listPasswordCredentials(applicationId);
      return credentials.map((c) => ({
        keyId: c.keyId,
        displayName: c.displayName,
        hint: c.hint,
        startDateTime: c.startAt,
        endDateTime: c.endAt,
      }));
    },
    async removePassword(applicationId: string, keyId: string): Promise<void> {
      const application = await requireApplication(applicationId);
      if (!(await store.removePasswordCredential(application.id, keyId)))
        throw new NotFoundError(keyId, `No password credential with keyId '${keyId}' exists on this application.`);
    },
    getServicePrincipal: (id: string) => store.getServicePrincipal(id.toLowerCase()),
    listServicePrincipals: (tenantId: string) => store.listServicePrincipals(tenantId),
    async deleteServicePrincipal(id: string): Promise<void> {
      if (!(await store.deleteServicePrincipal(id.toLowerCase(), now()))) throw new NotFoundError(id);
    },
    findApplicationByAppId: (appId: string) => store.findApplicationByAppId(appId),
    findServicePrincipal: (tenantId: string, appId: string) => store.findServicePrincipal(tenantId, appId),

    /** Adds a client secret; the secret text is returned once and only its hash is kept. */
    async addPassword(applicationId: string, displayName: string | null, endDateTime?: string): Promise<NewPassword> {
      checkTextLengths("PasswordCredential", { displayName });
      const application = await store.getApplication(applicationId);
      if (!application) throw new NotFoundError("application");
      const secretText = `${newSecret(3).slice(0, 3)}8Q~${newSecret(30)}`;
      const start = now();
      const end = endDateTime ?? new Date(clock.now() + DEFAULT_SECRET_LIFETIME_MS).toISOString();
      if (Number.isNaN(Date.parse(end)) || Date.parse(end) <= clock.now()) {
        throw new InvalidInputError("endDateTime must be a date-time in the future.", "endDateTime");
      }
      const credential = {
        keyId: newGuid(),
        applicationId,
        displayName,
        secretHash: clientSecrets.hash(secretText),
        hint: secretText.slice(0, 3),
        startAt: start,
        endAt: end,
      };
      await store.insertPasswordCredential(credential);
      return { keyId: credential.keyId, secretText, hint: credential.hint, displayName, startDateTime: start, endDateTime: end };
    },

    /** Checks a client secret against the application's secrets; a match on a secret stored with scrypt rehashes it. */
    async verifyClientSecret(applicationId: string, secret: string): Promise<"valid" | "invalid" | "expired"> {
      const credentials = await store.listPasswordCredentials(applicationId);
      const match = await clientSecrets.verify(
        secret,
        credentials.map((c) => c.secretHash),
      );
      if (!match) return "invalid";
      const credential = credentials[match.index]!;
      if (match.legacy) await store.updatePasswordCredentialHash(applicationId, credential.keyId, clientSecrets.hash(secret));
      return Date.parse(credential.endAt) > clock.now() ? "valid" : "expired";
    },

    async verifyUserPassword(userPrincipalName: string, password: string): Promise<UserRecord | undefined> {
      const user = await store.findUserByUpn(userPrincipalName);
      // An unknown name costs one scrypt too, so response time does not reveal which user names exist.
      if (!user?.passwordHash) {
        await verifySecret(password, await timingDecoy);
        return undefined;
      }
      if (!(await verifySecret(password, user.passwordHash))) return undefined;
      return user;
    },

    findUserByUpn: (upn: string) => store.findUserByUpn(upn),
    grantDirectoryRole: (tenantId: string, roleTemplateId: string, principalId: string) =>
      store.addDirectoryRoleMember(tenantId, roleTemplateId, principalId),

    /** Whether a principal may register applications (kept for callers that predate the per-area checks). */
    canWriteDirectory: (principalId: string) => roles.mayWrite(principalId, "applications"),
  };
}

export type Directory = ReturnType<typeof createDirectory>;

function newServicePrincipal(application: ApplicationRecord, createdAt: string): ServicePrincipalRecord {
  return {
    id: newGuid(),
    tenantId: application.tenantId,
    appId: application.appId,
    displayName: application.displayName,
    servicePrincipalType: "Application",
    createdAt,
  };
}

function userPrincipal(u: UserRecord): Principal {
  return {
    kind: "user",
    id: u.id,
    tenantId: u.tenantId,
    displayName: u.displayName,
    userPrincipalName: u.userPrincipalName,
    enabled: u.accountEnabled,
  };
}

function servicePrincipal(sp: ServicePrincipalRecord): Principal {
  return {
    kind: "servicePrincipal",
    id: sp.id,
    tenantId: sp.tenantId,
    displayName: sp.displayName,
    appId: sp.appId,
    servicePrincipalType: sp.servicePrincipalType,
  };
}
