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
    prompt_text: string | null;
    trace_id: string | null;
  };
  responses: {
    id: string;
    account_id: string;
    principal_id: string;
    created_at: string;
    expires_at: string;
    response_json: string;
    input_items_json: string;
    conversation_json: string;
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
    mail_nickname: string | null;
  };
  groups: {
    id: string;
    tenant_id: string;
    display_name: string;
    mail_nickname: string;
    description: string | null;
    security_enabled: number;
    mail_enabled: number;
    created_at: string;
  };
  group_members: { group_id: string; member_id: string; member_type: string; added_at: string };
  group_owners: { group_id: string; owner_id: string; owner_type: string; added_at: string };
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
  role_definitions: {
    id: string;
    tenant_id: string;
    role_name: string;
    role_name_key: string;
    description: string;
    assignable_scopes: string;
    permissions: string;
    created_on: string;
    created_by: string | null;
    updated_on: string;
    updated_by: string | null;
  };
  deny_assignments: {
    id: string;
    tenant_id: string;
    deny_assignment_name: string;
    description: string;
    scope: string;
    scope_key: string;
    permissions: string;
    principals: string;
    exclude_principals: string;
    do_not_apply_to_child_scopes: number;
    created_on: string;
  };
  changes: { seq: Generated<number>; topic: string; at: string; delta: string | null };
  account_names: { name_key: string; account_key: string };
  account_keys: { account_key: string; key_name: string; sealed_key: string; digest: string; created_at: string };
  template_deployments: {
    id_key: string;
    id: string;
    name: string;
    subscription_id: string;
    resource_group: string | null;
    location: string | null;
    tags: string;
    run_id: string;
    provisioning_state: string;
    mode: string;
    template: string;
    template_hash: string;
    parameters: string;
    outputs: string | null;
    output_resources: string;
    dependencies: string;
    error: string | null;
    correlation_id: string;
    created_by: string;
    started_at: string;
    updated_at: string;
    ended_at: string | null;
  };
  template_deployment_operations: {
    deployment_key: string;
    operation_id: string;
    seq: number;
    provisioning_operation: string;
    provisioning_state: string;
    target_id: string;
    target_type: string;
    target_name: string;
    api_version: string;
    status_code: string | null;
    status_message: string | null;
    started_at: string;
    ended_at: string | null;
  };
  template_deployment_results: { id: string; subscription_id: string; principal_id: string; body: string; created_at: string };
  arm_operations: { id: string; subscription_id: string; status: string; resource_id: string; started_at: string; ended_at: string | null };
  activity_log: {
    event_id: string;
    subscription_id: string;
    event_timestamp: string;
    caller: string;
    principal_id: string | null;
    operation_name: string;
    http_method: string;
    resource_id: string;
    status: string;
    status_code: number;
    correlation_id: string;
  };
  refresh_tokens: {
    token_hash: string;
    family_id: string;
    tenant_id: string;
    user_id: string;
    client_id: string;
    auth_methods: string;
    created_at: string;
    expires_at: string;
    used_at: string | null;
    revoked_at: string | null;
  };
  device_codes: {
    device_code_hash: string;
    user_code: string;
    tenant_id: string;
    client_id: string;
    scope: string;
    status: string;
    user_id: string | null;
    created_at: string;
    expires_at: string;
  };
  authorization_codes: {
    code_hash: string;
    tenant_id: string;
    client_id: string;
    user_id: string;
    redirect_uri: string;
    scope: string;
    code_challenge: string | null;
    code_challenge_method: string | null;
    nonce: string | null;
    expires_at: string;
    used_at: string | null;
  };
  spent_assertions: { jti_key: string; expires_at: string };
  sign_in_failures: { throttle_key: string; failures: number; window_start: string; locked_until: string | null };
  key_credentials: {
    key_id: string;
    application_id: string;
    display_name: string | null;
    certificate_pem: string;
    thumbprint_sha1: string;
    thumbprint_sha256: string;
    start_at: string;
    end_at: string;
  };
  federated_credentials: {
    id: string;
    application_id: string;
    name: string;
    issuer: string;
    subject: string;
    audiences: string;
    description: string | null;
    created_at: string;
  };
  managed_identities: {
    client_id: string;
    principal_id: string;
    tenant_id: string;
    resource_id_key: string;
    resource_id: string;
    kind: string;
    name: string;
    endpoint_secret_hash: string;
    sealed_endpoint_secret: string;
    created_at: string;
  };
}
