import type { Generated } from "kysely";

/**
 * Row types of every table. Portable column types only (text, integer): booleans are 0/1, times are ISO-8601
 * text, structured values are JSON text, so one repository layer serves SQLite and PostgreSQL alike.
 */
export interface Tables {
  call_log: {
    request_id: string;
    at: string;
    principal_id: string;
    via: string;
    account: string;
    deployment: string | null;
    operation: string;
    decision: string;
    assignment_id: string | null;
    status: number;
    prompt_tokens: number;
    completion_tokens: number;
    latency_ms: number;
  };
  meta: { key: string; value: string };
  tenants: { id: string; display_name: string; default_domain: string; created_at: string };
  users: {
    id: string;
    tenant_id: string;
    user_principal_name: string;
    upn_key: string;
    display_name: string;
    password_hash: string | null;
    account_enabled: number;
    created_at: string;
  };
  applications: { id: string; tenant_id: string; app_id: string; display_name: string; created_at: string };
  service_principals: {
    id: string;
    tenant_id: string;
    app_id: string;
    display_name: string;
    service_principal_type: string;
    created_at: string;
  };
  password_credentials: {
    key_id: string;
    application_id: string;
    display_name: string | null;
    secret_hash: string;
    hint: string;
    start_at: string;
    end_at: string;
  };
  directory_role_members: { role_template_id: string; principal_id: string; tenant_id: string };
  signing_keys: { kid: string; sealed_private_jwk: string; public_jwk: string; created_at: string; retired_at: string | null };
  subscriptions: { id: string; tenant_id: string; display_name: string; state: string; created_at: string };
  resources: {
    id_key: string;
    id: string;
    type: string;
    name: string;
    subscription_id: string;
    resource_group: string | null;
    parent_key: string | null;
    location: string;
    kind: string | null;
    sku: string | null;
    tags: string;
    properties: string;
    created_at: string;
    created_by: string | null;
    updated_at: string;
  };
  role_assignments: {
    id: string;
    tenant_id: string;
    scope: string;
    scope_key: string;
    role_definition_id: string;
    principal_id: string;
    principal_type: string;
    description: string | null;
    condition: string | null;
    condition_version: string | null;
    created_on: string;
    created_by: string | null;
    updated_on: string;
    updated_by: string | null;
  };
  changes: { seq: Generated<number>; topic: string; at: string };
}
