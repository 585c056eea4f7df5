import { type Kysely, type Selectable, sql } from "kysely";
import type { ListItem, ListQuery } from "../core/list-query.ts";
import { afterCursor, cursorOf, DIRECTORY_LIST_FIELDS, whereCondition } from "./directory-lists.ts";
import { dialectOf } from "./dialect.ts";
import { recordChange } from "./change-feed.ts";
import { revokeRefreshTokensOfUser } from "./grant-store.ts";
import { groupStore, removeEdgesOf } from "./group-store.ts";
import type { ApplicationRecord, PasswordCredentialRecord, ServicePrincipalRecord, TenantRecord, UserRecord } from "./records.ts";
import type { Tables } from "./tables.ts";
import { conflictOnDuplicate } from "./unique-violation.ts";

export function directoryStore(db: Kysely<Tables>) {
  const dialect = dialectOf(db);
  return {
    ...groupStore(db),
    async insertTenant(t: TenantRecord): Promise<void> {
      await conflictOnDuplicate(
        () =>
          db
            .insertInto("tenants")
            .values({ id: t.id, display_name: t.displayName, default_domain: t.defaultDomain, created_at: t.createdAt })
            .execute(),
        `A tenant with domain '${t.defaultDomain}' already exists.`,
      );
    },
    async getTenant(id: string): Promise<TenantRecord | undefined> {
      const row = await db.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
      return row && { id: row.id, displayName: row.display_name, defaultDomain: row.default_domain, createdAt: row.created_at };
    },
    async listTenants(): Promise<TenantRecord[]> {
      const rows = await db.selectFrom("tenants").selectAll().orderBy("created_at").execute();
      return rows.map((row) => ({
        id: row.id,
        displayName: row.display_name,
        defaultDomain: row.default_domain,
        createdAt: row.created_at,
      }));
    },

    async insertUser(u: UserRecord): Promise<void> {
      await conflictOnDuplicate(
        () =>
          db
            .insertInto("users")
            .values({
              id: u.id,
              tenant_id: u.tenantId,
              user_principal_name: u.userPrincipalName,
              upn_key: u.userPrincipalName.toLowerCase(),
              display_name: u.displayName,
              password_hash: u.passwordHash,
              account_enabled: u.accountEnabled ? 1 : 0,
              created_at: u.createdAt,
              mail_nickname: u.mailNickname ?? null,
            })
            .execute(),
        `Another object with the same value for property userPrincipalName already exists.`,
      );
    },
    async getUser(id: string): Promise<UserRecord | undefined> {
      const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toUser(row);
    },
    /** Which kind of directory object an id names, in one query (users, groups and service principals share ids' space). */
    async objectKind(id: string): Promise<"user" | "group" | "servicePrincipal" | undefined> {
      const row = await db
        .selectFrom("users")
        .select(sql<string>`'user'`.as("kind"))
        .where("id", "=", id)
        .unionAll(db.selectFrom("groups").select(sql<string>`'group'`.as("kind")).where("id", "=", id))
        .unionAll(db.selectFrom("service_principals").select(sql<string>`'servicePrincipal'`.as("kind")).where("id", "=", id))
        .executeTakeFirst();
      return row?.kind as "user" | "group" | "servicePrincipal" | undefined;
    },
    async findUserByUpn(upn: string): Promise<UserRecord | undefined> {
      const row = await db.selectFrom("users").selectAll().where("upn_key", "=", upn.toLowerCase()).executeTakeFirst();
      return row && toUser(row);
    },

    async listUsers(tenantId: string): Promise<UserRecord[]> {
      const rows = await db.selectFrom("users").selectAll().where("tenant_id", "=", tenantId).orderBy("created_at").orderBy("id").execute();
      return rows.map(toUser);
    },
    /** One page of a tenant's users in creation order, filtered and continued in SQL (indexed: 0013-directory-lists). */
    async listUsersPage(tenantId: string, query: ListQuery): Promise<ListItem<UserRecord>[]> {
      let q = db.selectFrom("users").selectAll().where("tenant_id", "=", tenantId);
      if (query.where) q = q.where((eb) => whereCondition(eb, query.where!, DIRECTORY_LIST_FIELDS.users, dialect));
      if (query.after) q = q.where((eb) => afterCursor(eb, "created_at", "id", query.after!));
      const rows = await q.orderBy("created_at").orderBy("id").limit(query.limit).execute();
      return rows.map((row) => ({ value: toUser(row), cursor: cursorOf(row.created_at, row.id) }));
    },
    /** Users by id (any tenant), in one query per 500 ids. */
    async getUsers(ids: readonly string[]): Promise<UserRecord[]> {
      const out: UserRecord[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom("users")
          .selectAll()
          .where("id", "in", ids.slice(i, i + 500))
          .execute();
        out.push(...rows.map(toUser));
      }
      return out;
    },
    /** Service principals by id, in one query per 500 ids. */
    async getServicePrincipals(ids: readonly string[]): Promise<ServicePrincipalRecord[]> {
      const out: ServicePrincipalRecord[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom("service_principals")
          .selectAll()
          .where("id", "in", ids.slice(i, i + 500))
          .execute();
        out.push(...rows.map(toServicePrincipal));
      }
      return out;
    },
    /**
     * Writes the changeable properties; disabling is recorded as a change so cached decisions are dropped. A new
     * password revokes the user's refresh tokens in the same transaction.
     */
    async updateUser(u: UserRecord, at: string, options: { passwordChanged?: boolean } = {}): Promise<void> {
      await db.transaction().execute(async (tx) => {
        if (options.passwordChanged) await revokeRefreshTokensOfUser(tx, u.id, at);
        await tx
          .updateTable("users")
          .set({
            display_name: u.displayName,
            password_hash: u.passwordHash,
            account_enabled: u.accountEnabled ? 1 : 0,
            mail_nickname: u.mailNickname ?? null,
          })
          .where("id", "=", u.id)
          .execute();
        await recordChange(tx, "directory", at, { kind: "principal", id: u.id });
      });
    },
    /** Deletes a user with its memberships, ownerships and directory roles. */
    async deleteUser(id: string, at: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        await removeEdgesOf(tx, id, at);
        const result = await tx.deleteFrom("users").where("id", "=", id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async insertApplication(a: ApplicationRecord, sp: ServicePrincipalRecord | undefined): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto("applications")
          .values({ id: a.id, tenant_id: a.tenantId, app_id: a.appId, display_name: a.displayName, created_at: a.createdAt })
          .execute();
        if (sp) await insertServicePrincipalWith(tx, sp);
      });
    },
    async getApplication(id: string): Promise<ApplicationRecord | undefined> {
      const row = await db.selectFrom("applications").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toApplication(row);
    },
    async findApplicationByAppId(appId: string): Promise<ApplicationRecord | undefined> {
      const row = await db.selectFrom("applications").selectAll().where("app_id", "=", appId).executeTakeFirst();
      return row && toApplication(row);
    },

    async listApplications(tenantId: string): Promise<ApplicationRecord[]> {
      const rows = await db
        .selectFrom("applications")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(toApplication);
    },
    async updateApplication(a: ApplicationRecord): Promise<void> {
      await db.updateTable("applications").set({ display_name: a.displayName }).where("id", "=", a.id).execute();
    },
    /** Deletes an application, its secrets and its service principal (as Entra does), with the principal's edges. */
    async deleteApplication(a: ApplicationRecord, at: string): Promise<void> {
      await db.transaction().execute(async (tx) => {
        const sp = await tx
          .selectFrom("service_principals")
          .select("id")
          .where("tenant_id", "=", a.tenantId)
          .where("app_id", "=", a.appId)
          .executeTakeFirst();
        if (sp) {
          await removeEdgesOf(tx, sp.id, at);
          await tx.deleteFrom("service_principals").where("id", "=", sp.id).execute();
        }
        await tx.deleteFrom("password_credentials").where("application_id", "=", a.id).execute();
        await tx.deleteFrom("applications").where("id", "=", a.id).execute();
      });
    },

    async insertServicePrincipal(sp: ServicePrincipalRecord): Promise<void> {
      await conflictOnDuplicate(
        () => insertServicePrincipalWith(db, sp),
        `A service principal for application '${sp.appId}' already exists in this tenant.`,
      );
    },
    async getServicePrincipal(id: string): Promise<ServicePrincipalRecord | undefined> {
      const row = await db.selectFrom("service_principals").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toServicePrincipal(row);
    },
    async findServicePrincipal(tenantId: string, appId: string): Promise<ServicePrincipalRecord | undefined> {
      const row = await db
        .selectFrom("service_principals")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("app_id", "=", appId)
        .executeTakeFirst();
      return row && toServicePrincipal(row);
    },

    async listServicePrincipals(tenantId: string): Promise<ServicePrincipalRecord[]> {
      const rows = await db
        .selectFrom("service_principals")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(toServicePrincipal);
    },
    async deleteServicePrincipal(id: string, at: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        await removeEdgesOf(tx, id, at);
        const result = await tx.deleteFrom("service_principals").where("id", "=", id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async removePasswordCredential(applicationId: string, keyId: string): Promise<boolean> {
      const result = await db
        .deleteFrom("password_credentials")
        .where("application_id", "=", applicationId)
        .where("key_id", "=", keyId.toLowerCase())
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async insertPasswordCredential(p: PasswordCredentialRecord): Promise<void> {
      await db
        .insertInto("password_credentials")
        .values({
          key_id: p.keyId,
          application_id: p.applicationId,
          display_name: p.displayName,
          secret_hash: p.secretHash,
          hint: p.hint,
          start_at: p.startAt,
          end_at: p.endAt,
        })
        .execute();
    },
    async updatePasswordCredentialHash(applicationId: string, keyId: string, secretHash: string): Promise<void> {
      await db
        .updateTable("password_credentials")
        .set({ secret_hash: secretHash })
        .where("application_id", "=", applicationId)
        .where("key_id", "=", keyId)
        .execute();
    },
    async listPasswordCredentials(applicationId: string): Promise<PasswordCredentialRecord[]> {
      const rows = await db
        .selectFrom("password_credentials")
        .selectAll()
        .where("application_id", "=", applicationId)
        .orderBy("start_at")
        .execute();
      return rows.map((r) => ({
        keyId: r.key_id,
        applicationId: r.application_id,
        displayName: r.display_name,
        secretHash: r.secret_hash,
        hint: r.hint,
        startAt: r.start_at,
        endAt: r.end_at,
      }));
    },

    async addDirectoryRoleMember(tenantId: string, roleTemplateId: string, principalId: string): Promise<void> {
      await db
        .insertInto("directory_role_members")
        .values({ tenant_id: tenantId, role_template_id: roleTemplateId, principal_id: principalId })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async removeDirectoryRoleMember(tenantId: string, roleTemplateId: string, principalId: string): Promise<boolean> {
      const result = await db
        .deleteFrom("directory_role_members")
        .where("tenant_id", "=", tenantId)
        .where("role_template_id", "=", roleTemplateId)
        .where("principal_id", "=", principalId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listDirectoryRoleMembers(tenantId: string, roleTemplateId: string): Promise<string[]> {
      const rows = await db
        .selectFrom("directory_role_members")
        .select("principal_id")
        .where("tenant_id", "=", tenantId)
        .where("role_template_id", "=", roleTemplateId)
        .execute();
      return rows.map((r) => r.principal_id);
    },
    async directoryRolesOf(principalId: string): Promise<string[]> {
      const rows = await db
        .selectFrom("directory_role_members")
        .select("role_template_id")
        .where("principal_id", "=", principalId)
        .execute();
      return rows.map((r) => r.role_template_id);
    },
  };
}

export type DirectoryStore = ReturnType<typeof directoryStore>;

function insertServicePrincipalWith(db: Kysely<Tables>, sp: ServicePrincipalRecord) {
  return db
    .insertInto("service_principals")
    .values({
      id: sp.id,
      tenant_id: sp.tenantId,
      app_id: sp.appId,
      display_name: sp.displayName,
      service_principal_type: sp.servicePrincipalType,
      created_at: sp.createdAt,
    })
    .execute();
}

function toUser(row: Selectable<Tables["users"]>): UserRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userPrincipalName: row.user_principal_name,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    accountEnabled: row.account_enabled === 1,
    createdAt: row.created_at,
    mailNickname: row.mail_nickname,
  };
}

function toApplication(row: Selectable<Tables["applications"]>): ApplicationRecord {
  return { id: row.id, tenantId: row.tenant_id, appId: row.app_id, displayName: row.display_name, createdAt: row.created_at };
}

function toServicePrincipal(row: Selectable<Tables["service_principals"]>): ServicePrincipalRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    appId: row.app_id,
    displayName: row.display_name,
    servicePrincipalType: row.service_principal_type as ServicePrincipalRecord["servicePrincipalType"],
    createdAt: row.created_at,
  };
}
