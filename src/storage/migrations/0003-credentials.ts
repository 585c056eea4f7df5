import type { Kysely } from "kysely";
import type { Dialect } from "../dialect.ts";

/**
 * Token-service state beyond the foundation: refresh-token families, device codes, authorization codes, spent
 * client-assertion ids, sign-in throttling, and the directory's certificate credentials, federated identity
 * credentials and managed identities. Every secret column holds a hash, never the secret.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("refresh_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("family_id", "text", (c) => c.notNull())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("auth_methods", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("revoked_at", "text")
    .execute();
  await db.schema.createIndex("refresh_tokens_family").on("refresh_tokens").column("family_id").execute();
  await db.schema.createIndex("refresh_tokens_user").on("refresh_tokens").column("user_id").execute();
  await db.schema
    .createTable("device_codes")
    .addColumn("device_code_hash", "text", (c) => c.primaryKey())
    .addColumn("user_code", "text", (c) => c.notNull().unique())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("authorization_codes")
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("redirect_uri", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("code_challenge", "text")
    .addColumn("code_challenge_method", "text")
    .addColumn("nonce", "text")
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .execute();
  await db.schema
    .createTable("spent_assertions")
    .addColumn("jti_key", "text", (c) => c.primaryKey())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("sign_in_failures")
    .addColumn("throttle_key", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("window_start", "text", (c) => c.notNull())
    .addColumn("locked_until", "text")
    .execute();
  await db.schema
    .createTable("key_credentials")
    .addColumn("key_id", "text", (c) => c.primaryKey())
    .addColumn("application_id", "text", (c) => c.notNull().references("applications.id").onDelete("cascade"))
    .addColumn("display_name", "text")
    .addColumn("certificate_pem", "text", (c) => c.notNull())
    .addColumn("thumbprint_sha1", "text", (c) => c.notNull())
    .addColumn("thumbprint_sha256", "text", (c) => c.notNull())
    .addColumn("start_at", "text", (c) => c.notNull())
    .addColumn("end_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("key_credentials_application").on("key_credentials").column("application_id").execute();
  await db.schema
    .createTable("federated_credentials")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("application_id", "text", (c) => c.notNull().references("applications.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("issuer", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("audiences", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("federated_credentials_name", ["application_id", "name"])
    .execute();
  await db.schema
    .createTable("managed_identities")
    .addColumn("client_id", "text", (c) => c.primaryKey())
    .addColumn("principal_id", "text", (c) => c.notNull().unique())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("resource_id_key", "text", (c) => c.notNull().unique())
    .addColumn("resource_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("endpoint_secret_hash", "text", (c) => c.notNull().unique())
    .addColumn("sealed_endpoint_secret", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}
