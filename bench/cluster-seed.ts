/**
 * Bulk rows straight into a PostgreSQL schema a node has migrated, as many nodes' writes would have left them:
 * what `bench/cluster.ts` fills the store with, and what a memory measurement of a node's full reload needs.
 */
import type pg from "pg";

export const SEED_USERS = 100_000;
export const SEED_GROUPS = 10_000;
export const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

/**
 * With `withDirectory`, 100k users and 10k groups (every user in one group, groups nested one level: 109,900
 * edges); role assignments `from`..`to` (Reader, one per user, at resource groups over 100 subscriptions); then
 * one bulk (`full`) change row and a notification for `schema`, so running nodes reload.
 */
export async function seedCluster(
  client: pg.Client,
  schema: string,
  tenantId: string,
  from: number,
  to: number,
  withDirectory: boolean,
): Promise<void> {
  const at = new Date().toISOString();
  if (withDirectory) {
    await client.query(
      `insert into users (id, tenant_id, user_principal_name, upn_key, display_name, password_hash, account_enabled, created_at, mail_nickname)
       select md5('user' || i)::uuid::text, $1, 'bench-user-' || i || '@bench.example', 'bench-user-' || i || '@bench.example', 'Bench user ' || i, 'x', 1, $2, null
       from generate_series(0, ${SEED_USERS - 1}) i`,
      [tenantId, at],
    );
    await client.query(
      `insert into groups (id, tenant_id, display_name, mail_nickname, description, security_enabled, mail_enabled, created_at)
       select md5('group' || g)::uuid::text, $1, 'Bench group ' || g, 'bench-group-' || g, null, 1, 0, $2 from generate_series(0, ${SEED_GROUPS - 1}) g`,
      [tenantId, at],
    );
    // Every user in one group; groups nested one level (each in one of the first hundred).
    await client.query(
      `insert into group_members (group_id, member_id, member_type, added_at)
       select md5('group' || (i % ${SEED_GROUPS}))::uuid::text, md5('user' || i)::uuid::text, 'user', $1 from generate_series(0, ${SEED_USERS - 1}) i
       union all
       select md5('group' || (g % 100))::uuid::text, md5('group' || g)::uuid::text, 'group', $1 from generate_series(100, ${SEED_GROUPS - 1}) g`,
      [at],
    );
  }
  if (to > from) {
    // Spread over 100 subscriptions (Azure allows 4,000 per subscription), one per user, Reader at a resource group.
    await client.query(
      `insert into role_assignments (id, tenant_id, scope, scope_key, role_definition_id, principal_id, principal_type, description, condition, condition_version, created_on, created_by, updated_on, updated_by)
       select md5('ra' || i)::uuid::text, $1, s.scope, lower(s.scope), $2, md5('user' || (i % ${SEED_USERS}))::uuid::text, 'User', null, null, null, $3, null, $3, null
       from generate_series(${from}, ${to - 1}) i,
       lateral (select '/subscriptions/' || md5('sub' || (i % 100))::uuid::text || '/resourceGroups/rg' || (i / ${SEED_USERS}) || '-' || (i % 7) as scope) s`,
      [tenantId, READER, at],
    );
  }
  await client.query(`insert into changes (topic, at, delta) values ('rbac', $1, null)`, [at]);
  await client.query(`select pg_notify('keyless_changes', $1)`, [schema]);
}
