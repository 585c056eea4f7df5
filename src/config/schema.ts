/**
 * The one configuration schema (docs/architecture.md, "Decisions"): every setting's key, flag, environment variable, default and
 * description live here and nowhere else. `docs/configuration.md` is generated from this table.
 */
export interface SettingSpec<T> {
  readonly type: "string" | "integer" | "boolean" | "list";
  readonly env: string;
  readonly flag: string;
  readonly description: string;
  /** A default that depends on other settings is computed in `resolveDefaults` and described here in words. */
  readonly default: T | undefined;
  readonly defaultText?: string;
  readonly secret?: boolean;
  readonly min?: number;
  readonly max?: number;
}

function setting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return spec;
}

export const schema = {
  dataDir: setting<string>({
    type: "string",
    env: "KEYLESS_DATA_DIR",
    flag: "--data-dir",
    default: ".keyless",
    description: "Directory for the embedded database, the local CA and server certificate, and the master key.",
  }),
  host: setting<string>({
    type: "string",
    env: "KEYLESS_HOST",
    flag: "--host",
    default: "127.0.0.1",
    description: "Address to bind. Loopback by default; set 0.0.0.0 (with a real certificate) to serve a network.",
  }),
  port: setting<number>({
    type: "integer",
    env: "KEYLESS_PORT",
    flag: "--port",
    default: 8443,
    min: 0,
    max: 65535,
    description: "HTTPS port. 0 picks a free port (the start-up line reports it).",
  }),
  publicUrl: setting<string>({
    type: "string",
    env: "KEYLESS_PUBLIC_URL",
    flag: "--public-url",
    default: undefined,
    defaultText: "https://localhost:{port}",
    description: "Base URL clients use to reach this service; names the endpoints in discovery documents and ARM.",
  }),
  tlsCert: setting<string>({
    type: "string",
    env: "KEYLESS_TLS_CERT",
    flag: "--tls-cert",
    default: undefined,
    description: "PEM certificate chain to serve instead of the generated local one (needs --tls-key).",
  }),
  tlsKey: setting<string>({
    type: "string",
    env: "KEYLESS_TLS_KEY",
    flag: "--tls-key",
    default: undefined,
    description: "PEM private key for --tls-cert.",
  }),
  tlsHostnames: setting<string[]>({
    type: "list",
    env: "KEYLESS_TLS_HOSTNAMES",
    flag: "--tls-hostnames",
    default: [],
    description: "Extra DNS names or IPs for the generated server certificate (localhost, 127.0.0.1 and ::1 are always in it).",
  }),
  storage: setting<string>({
    type: "string",
    env: "KEYLESS_STORAGE",
    flag: "--storage",
    default: undefined,
    defaultText: "sqlite:{dataDir}/keyless.db",
    description: "Where state lives: `sqlite:PATH`, `sqlite::memory:` (nothing kept), or `postgres://user@host:port/db` for many nodes.",
  }),
  storageSchema: setting<string>({
    type: "string",
    env: "KEYLESS_STORAGE_SCHEMA",
    flag: "--storage-schema",
    default: "public",
    description: "PostgreSQL schema holding Keyless's tables (created if missing).",
  }),
  policyMaxStalenessSeconds: setting<number>({
    type: "integer",
    env: "KEYLESS_POLICY_MAX_STALENESS_SECONDS",
    flag: "--policy-max-staleness-seconds",
    default: 30,
    min: 1,
    max: 86400,
    description:
      "How long a node may go on deciding access with a policy it cannot confirm is current (storage unreachable). After that, calls whose answer depends on the policy (data plane and ARM) get 503 with Retry-After and `/readyz` turns not-ready, until storage answers again. Tokens already issued keep their meaning.",
  }),
  policyPollIntervalMs: setting<number>({
    type: "integer",
    env: "KEYLESS_POLICY_POLL_INTERVAL_MS",
    flag: "--policy-poll-interval-ms",
    default: 1000,
    min: 50,
    max: 3600_000,
    description:
      "How often a node checks the change feed on its own. On PostgreSQL each committed change also wakes every node at once (`LISTEN/NOTIFY`); polling is the fallback and what confirms the policy is current.",
  }),
  masterKey: setting<string>({
    type: "string",
    env: "KEYLESS_MASTER_KEY",
    flag: "--master-key",
    default: undefined,
    secret: true,
    defaultText: "generated into {dataDir}/master.key",
    description: "Base64 32-byte key that encrypts signing keys and account keys at rest. Every node of a cluster needs the same one.",
  }),
  tenantDomain: setting<string>({
    type: "string",
    env: "KEYLESS_TENANT_DOMAIN",
    flag: "--tenant-domain",
    default: "keyless.local",
    description: "Default domain of the bootstrap tenant; user principal names end with it.",
  }),
  adminUsername: setting<string>({
    type: "string",
    env: "KEYLESS_ADMIN_USERNAME",
    flag: "--admin-username",
    default: undefined,
    defaultText: "admin@{tenantDomain}",
    description: "User principal name of the bootstrap administrator (Global Administrator, Owner of the subscription).",
  }),
  adminPassword: setting<string>({
    type: "string",
    env: "KEYLESS_ADMIN_PASSWORD",
    flag: "--admin-password",
    default: undefined,
    secret: true,
    defaultText: "generated and printed once, on first start",
    description: "Password of the bootstrap administrator, applied on first start only.",
  }),
  tokenLifetimeSeconds: setting<number>({
    type: "integer",
    env: "KEYLESS_TOKEN_LIFETIME",
    flag: "--token-lifetime",
    default: 3900,
    min: 310,
    max: 86400,
    description: "Lifetime of access tokens in seconds (Entra issues 60-90 minutes; MSAL refetches under 300).",
  }),
  signingKeyRotationDays: setting<number>({
    type: "integer",
    env: "KEYLESS_SIGNING_KEY_ROTATION_DAYS",
    flag: "--signing-key-rotation-days",
    default: 30,
    min: 0,
    max: 3650,
    description:
      "Days between token-signing key rotations (0: never). A new key is published a day before it signs; the old one stays published until its tokens expire.",
  }),
  clientAuthFailuresPerSource: setting<number>({
    type: "integer",
    env: "KEYLESS_CLIENT_AUTH_FAILURES_PER_SOURCE",
    flag: "--client-auth-failures-per-source",
    default: 60,
    min: 1,
    max: 1_000_000,
    description:
      "Failed client authentications (wrong secret, bad assertion) one source address may make per minute on a node; past it, its token requests are refused (429, AADSTS90055) unchecked for the rest of the minute.",
  }),
  clientAuthFailuresPerClient: setting<number>({
    type: "integer",
    env: "KEYLESS_CLIENT_AUTH_FAILURES_PER_CLIENT",
    flag: "--client-auth-failures-per-client",
    default: 300,
    min: 1,
    max: 1_000_000,
    description:
      "Failed authentications per minute for one client application on a node; past it, only sources that recently authenticated that client are still checked, others are refused (429) unchecked.",
  }),
  federatedIssuers: setting<string[]>({
    type: "list",
    env: "KEYLESS_FEDERATED_ISSUERS",
    flag: "--federated-issuers",
    default: [],
    description:
      "Issuers (exact https URLs) whose discovery documents and keys Keyless may fetch to check workload-identity assertions against applications' federated identity credentials. Nothing else is ever fetched: an issuer named by a request or registered on an application but missing here is refused (AADSTS700211) without a network call. Issuers of the federation file are always allowed.",
  }),
  federatedTokenMaxLifetimeSeconds: setting<number>({
    type: "integer",
    env: "KEYLESS_FEDERATED_TOKEN_MAX_LIFETIME",
    flag: "--federated-token-max-lifetime",
    default: 86400,
    min: 60,
    max: 604800,
    description:
      "Longest lifetime accepted for client assertions (workload-identity tokens, certificate assertions) and for tokens of federation-file issuers: exp after nbf or iat, and after now. Azure workload identity's longest service-account token is one day.",
  }),
  federationFile: setting<string>({
    type: "string",
    env: "KEYLESS_FEDERATION_FILE",
    flag: "--federation-file",
    default: undefined,
    description:
      "YAML file of trusted external OIDC issuers whose tokens callers may present (issuer, discoveryUrl or jwksFile, audiences, subject-to-principal map); see docs/federation.md.",
  }),
  demo: setting<boolean>({
    type: "boolean",
    env: "KEYLESS_DEMO",
    flag: "--demo",
    default: true,
    description: "On first start, create a demo resource group, AIServices account and deployment on a built-in model.",
  }),
  modelsFile: setting<string>({
    type: "string",
    env: "KEYLESS_MODELS_FILE",
    flag: "--models-file",
    default: undefined,
    description:
      "YAML file declaring model backends (openai-compatible servers such as vLLM or Ollama, scripted models) and the models they serve; see docs/models.md. Without it only the built-in models exist.",
  }),
  accountHostSuffix: setting<string>({
    type: "string",
    env: "KEYLESS_ACCOUNT_HOST_SUFFIX",
    flag: "--account-host-suffix",
    default: undefined,
    description:
      "DNS suffix under which every account has its own host name, as Azure's `{account}.openai.azure.com`: with `ai.example.com`, `https://myacct.ai.example.com/openai/...` and `/models/...` reach account `myacct` (the `/accounts/{account}/...` paths keep working). The wildcard name must resolve to this service and be in its certificate.",
  }),
  recordPromptText: setting<boolean>({
    type: "boolean",
    env: "KEYLESS_RECORD_PROMPT_TEXT",
    flag: "--record-prompt-text",
    default: false,
    description:
      "Operator opt-in: also keep each data-plane call's prompt text (chat messages, completion prompt, embeddings input) in the call log. Off by default; prompts can hold personal or confidential data, so turn it on only where that is allowed.",
  }),
  rateLimitStore: setting<string>({
    type: "string",
    env: "KEYLESS_RATE_LIMIT_STORE",
    flag: "--rate-limit-store",
    default: "memory",
    description:
      "Where per-deployment rate-limit counters live: `memory` (each node enforces the full limit on its own) or `redis://[:password@]host:port[/db]` (`rediss://` for TLS) so every node sharing that Redis charges one budget. If Redis is unreachable, calls fall back to this node's in-memory counters (fail open) and a warning is logged.",
  }),
  rateLimitDefaultCompletionTokens: setting<number>({
    type: "integer",
    env: "KEYLESS_RATE_LIMIT_DEFAULT_COMPLETION_TOKENS",
    flag: "--rate-limit-default-completion-tokens",
    default: 1024,
    min: 0,
    max: 1_000_000,
    description:
      "Completion tokens a call that sets no `max_tokens` is charged up front against its deployment's tokens per minute (Azure charges `max_tokens` or a default). Every call is settled with its real usage when it ends.",
  }),
  recordCalls: setting<boolean>({
    type: "boolean",
    env: "KEYLESS_RECORD_CALLS",
    flag: "--record-calls",
    default: true,
    description:
      "Keep a record of every data-plane call (the call log behind `keyless audit calls`, `keyless usage` and the accounts' Azure Monitor metrics). Turn off only where no per-call record may be kept; those views are then empty (quotas still hold).",
  }),
  maxStreamsPerCaller: setting<number>({
    type: "integer",
    env: "KEYLESS_MAX_STREAMS_PER_CALLER",
    flag: "--max-streams-per-caller",
    default: 32,
    min: 1,
    max: 100_000,
    description:
      "Streamed chat calls one caller (principal or account key) may hold open on a node; beyond it a new stream is 429 TooManyConcurrentStreams. Each stream holds one backend connection for as long as it lasts.",
  }),
  streamDrainTimeoutMs: setting<number>({
    type: "integer",
    env: "KEYLESS_STREAM_DRAIN_TIMEOUT_MS",
    flag: "--stream-drain-timeout-ms",
    default: 30_000,
    min: 100,
    max: 3_600_000,
    description:
      "How long a stream waits for its client to read what was already sent; a client that stops reading is cut off after it and the backend connection released.",
  }),
  shutdownGraceSeconds: setting<number>({
    type: "integer",
    env: "KEYLESS_SHUTDOWN_GRACE_SECONDS",
    flag: "--shutdown-grace-seconds",
    default: 30,
    min: 0,
    max: 3600,
    description:
      "On SIGTERM or SIGINT the node reports not-ready, stops accepting connections and lets calls in flight finish for this long; streams still open then end with a ServiceShuttingDown error event, and the process exits 0. A second signal stops at once.",
  }),
  callLogRetentionDays: setting<number>({
    type: "integer",
    env: "KEYLESS_CALL_LOG_RETENTION_DAYS",
    flag: "--call-log-retention-days",
    default: 30,
    min: 0,
    max: 36_500,
    description:
      "Days a data-plane call record is kept (as Azure Monitor's default retention); older records are deleted at start and hourly. 0 keeps every record.",
  }),
  responsesRetentionDays: setting<number>({
    type: "integer",
    env: "KEYLESS_RESPONSES_RETENTION_DAYS",
    flag: "--responses-retention-days",
    default: 30,
    min: 0,
    max: 36_500,
    description:
      "Days a stored Responses API response (`store: true`, the default) can be retrieved or chained with `previous_response_id` (30, as OpenAI keeps them); expired ones are deleted at start and hourly. 0 keeps them until deleted.",
  }),
  responsesMaxConversationBytes: setting<number>({
    type: "integer",
    env: "KEYLESS_RESPONSES_MAX_CONVERSATION_BYTES",
    flag: "--responses-max-conversation-bytes",
    default: 4_194_304,
    min: 1024,
    max: 268_435_456,
    description:
      "Bytes of conversation (every input and output item of a `previous_response_id` chain, as JSON) one stored response may carry; a create request whose chain would exceed it is 400 ConversationTooLarge.",
  }),
  responsesMaxInputItems: setting<number>({
    type: "integer",
    env: "KEYLESS_RESPONSES_MAX_INPUT_ITEMS",
    flag: "--responses-max-input-items",
    default: 2048,
    min: 1,
    max: 100_000,
    description: "Input items one Responses API create request may carry (as chat's 2,048 messages); more is 400 array_above_max_length.",
  }),
  headerSizeLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_HEADER_SIZE_LIMIT",
    flag: "--header-size-limit",
    default: 16384,
    min: 4096,
    max: 1048576,
    description:
      "Largest request line plus headers accepted, in bytes (16 KiB, the front-end default Azure's endpoints share); larger requests get 431 before any route runs.",
  }),
  tokenBodyLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_TOKEN_BODY_LIMIT",
    flag: "--token-body-limit",
    default: 65536,
    min: 1024,
    max: 8388608,
    description:
      "Largest request body of the token service (token, device code, managed-identity endpoints), in bytes; larger ones get `invalid_request` (413).",
  }),
  armBodyLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_ARM_BODY_LIMIT",
    flag: "--arm-body-limit",
    default: 1048576,
    min: 1024,
    max: 67108864,
    description:
      "Largest ARM request body in bytes; larger ones get 413 `RequestEntityTooLarge`. Azure Resource Manager takes up to 4 MB, but Keyless's ARM bodies (resource groups, accounts, role assignments) are a few KB, and reading and parsing a body costs about 25 ms of event loop per MB: 1 MiB keeps any one request under 50 ms (docs/benchmarks.md).",
  }),
  customRolesPerTenant: setting<number>({
    type: "integer",
    env: "KEYLESS_CUSTOM_ROLES_PER_TENANT",
    flag: "--custom-roles-per-tenant",
    default: 5000,
    min: 1,
    max: 100_000,
    description:
      "Custom role definitions one tenant (directory) may hold, as in Azure; creating one more is 400 `RoleDefinitionLimitExceeded`. Every node holds every custom role in memory: each is at most 64 KiB of text, so the default bounds a tenant's roles to about 320 MiB at worst.",
  }),
  templateDeploymentConcurrency: setting<number>({
    type: "integer",
    env: "KEYLESS_TEMPLATE_DEPLOYMENT_CONCURRENCY",
    flag: "--template-deployment-concurrency",
    default: 10,
    min: 1,
    max: 800,
    description:
      "Template deployments (`Microsoft.Resources/deployments`) one subscription may have accepted or running at once; one more gets 429 `DeploymentConcurrencyLimitExceeded`. A template's body is bounded by armBodyLimit.",
  }),
  templateDeploymentHistoryLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_TEMPLATE_DEPLOYMENT_HISTORY_LIMIT",
    flag: "--template-deployment-history-limit",
    default: 800,
    min: 1,
    max: 800,
    description:
      "Template deployments one resource group, or one subscription's own scope, keeps in its history (Azure's 800). A new deployment at a full scope deletes the oldest finished ones to make room, never an accepted or running one; when every one is accepted or running it gets 400 `DeploymentQuotaExceeded`.",
  }),
  graphBodyLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_GRAPH_BODY_LIMIT",
    flag: "--graph-body-limit",
    default: 1048576,
    min: 1024,
    max: 67108864,
    description:
      "Largest Microsoft Graph request body in bytes; larger ones get 413 `Request_EntityTooLarge`. Graph takes up to 4 MB, but directory objects are a few KB, and 1 MiB keeps any one request under 50 ms of event loop (docs/benchmarks.md).",
  }),
  graphFilterLengthLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_GRAPH_FILTER_LENGTH_LIMIT",
    flag: "--graph-filter-length-limit",
    default: 4096,
    min: 64,
    max: 65536,
    description: "Longest Microsoft Graph `$filter` accepted, in characters; longer ones get 400 `Request_BadRequest` before parsing.",
  }),
  graphFilterDepthLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_GRAPH_FILTER_DEPTH_LIMIT",
    flag: "--graph-filter-depth-limit",
    default: 32,
    min: 2,
    max: 256,
    description: "Deepest nesting of parentheses and `not` in a Microsoft Graph `$filter`; deeper ones get 400 `Request_BadRequest`.",
  }),
  yamlSizeLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_YAML_SIZE_LIMIT",
    flag: "--yaml-size-limit",
    default: 4194304,
    min: 1024,
    max: 268435456,
    description:
      "Largest models or federation file in bytes (the configuration file and the CLI's world files are held to the default); a larger file, or an endless one such as /dev/zero, is refused before parsing.",
  }),
  chatBodyLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_CHAT_BODY_LIMIT",
    flag: "--chat-body-limit",
    default: 1_048_576,
    min: 1024,
    max: 104_857_600,
    description:
      "Largest chat or text completions request body, in bytes (413 RequestEntityTooLarge beyond). 1 MiB holds a 128k-token text prompt; raise it for images sent inline as base64 (parsing a body costs ~20 ms a MiB of event-loop time).",
  }),
  embeddingsBodyLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_EMBEDDINGS_BODY_LIMIT",
    flag: "--embeddings-body-limit",
    default: 1_048_576,
    min: 1024,
    max: 104_857_600,
    description: "Largest embeddings request body, in bytes (413 RequestEntityTooLarge beyond).",
  }),
  jsonDepthLimit: setting<number>({
    type: "integer",
    env: "KEYLESS_JSON_DEPTH_LIMIT",
    flag: "--json-depth-limit",
    default: 64,
    min: 8,
    max: 1000,
    description:
      "Deepest nesting of objects and arrays in a JSON request body on every surface, checked in one pass before parsing (400 in the surface's envelope; `JsonTooDeep` on the data plane); 64 is .NET's JSON default, which Azure's services share.",
  }),
  chatMaxMessages: setting<number>({
    type: "integer",
    env: "KEYLESS_CHAT_MAX_MESSAGES",
    flag: "--chat-max-messages",
    default: 2048,
    min: 1,
    max: 100_000,
    description: "Most messages in one chat completions call (Azure OpenAI: 2,048).",
  }),
  chatMaxTools: setting<number>({
    type: "integer",
    env: "KEYLESS_CHAT_MAX_TOOLS",
    flag: "--chat-max-tools",
    default: 128,
    min: 1,
    max: 10_000,
    description: "Most tools in one chat completions call (Azure OpenAI: 128).",
  }),
  embeddingsMaxInputs: setting<number>({
    type: "integer",
    env: "KEYLESS_EMBEDDINGS_MAX_INPUTS",
    flag: "--embeddings-max-inputs",
    default: 2048,
    min: 1,
    max: 100_000,
    description: "Most inputs in one embeddings call (Azure OpenAI: 2,048; 400 TooManyInputs beyond).",
  }),
  embeddingsMaxInputTokens: setting<number>({
    type: "integer",
    env: "KEYLESS_EMBEDDINGS_MAX_INPUT_TOKENS",
    flag: "--embeddings-max-input-tokens",
    default: 8192,
    min: 1,
    max: 1_000_000,
    description:
      "Most tokens in one embeddings input (Azure's text-embedding-3 models: 8,192; 400 InputTooLong beyond). A model in the models file may declare less (`maxInputTokens`).",
  }),
  embeddingsMaxDimensions: setting<number>({
    type: "integer",
    env: "KEYLESS_EMBEDDINGS_MAX_DIMENSIONS",
    flag: "--embeddings-max-dimensions",
    default: 3072,
    min: 1,
    max: 65_536,
    description:
      "Largest `dimensions` an embeddings call may ask (text-embedding-3-large: 3,072). Each model is also held to its own native dimension (`dimensions` in the models file; keyless-embed: 1,536).",
  }),
  otlpEndpoint: setting<string>({
    type: "string",
    env: "KEYLESS_OTLP_ENDPOINT",
    flag: "--otlp-endpoint",
    default: undefined,
    description:
      "Base URL of an OpenTelemetry collector's OTLP/HTTP receiver (e.g. http://127.0.0.1:4318): each data-plane call is then traced (a server span with authenticate, authorize and backend children, continuing the caller's `traceparent`) and exported to `{url}/v1/traces`. Off unless set.",
  }),
  metricsPort: setting<number>({
    type: "integer",
    env: "KEYLESS_METRICS_PORT",
    flag: "--metrics-port",
    default: undefined,
    min: 0,
    max: 65535,
    description:
      "Port of the Prometheus listener (plain HTTP, `GET /metrics`). Metrics are off unless this is set; 0 picks a free port (the start-up line reports `metricsUrl`).",
  }),
  metricsHost: setting<string>({
    type: "string",
    env: "KEYLESS_METRICS_HOST",
    flag: "--metrics-host",
    default: "127.0.0.1",
    description:
      "Address the metrics listener binds. Loopback by default: metrics name accounts and deployments, so expose them deliberately.",
  }),
  metricsPrincipalLabel: setting<boolean>({
    type: "boolean",
    env: "KEYLESS_METRICS_PRINCIPAL_LABEL",
    flag: "--metrics-principal-label",
    default: false,
    description:
      "Adds the calling principal's object id as a `principal` label on `gen_ai_client_token_usage`. One series per caller: turn it on only where the number of callers is known and modest (otherwise use `keyless usage`, which reads the call log).",
  }),
  contentModerationUrl: setting<string>({
    type: "string",
    env: "KEYLESS_CONTENT_MODERATION_URL",
    flag: "--content-moderation-url",
    default: undefined,
    description:
      "URL of an OpenAI-compatible moderation endpoint (`…/v1/moderations`) that rates prompts and completions for the content filter's harm categories (hate, sexual, violence, self-harm; see docs/content-filtering.md). Unset, the built-in deterministic classifier (marker words) rates them alone.",
  }),
  contentModerationApiKey: setting<string>({
    type: "string",
    env: "KEYLESS_CONTENT_MODERATION_API_KEY",
    flag: "--content-moderation-api-key",
    default: undefined,
    secret: true,
    description: "Bearer key sent to the moderation endpoint, if it needs one.",
  }),
  contentModerationModel: setting<string>({
    type: "string",
    env: "KEYLESS_CONTENT_MODERATION_MODEL",
    flag: "--content-moderation-model",
    default: undefined,
    description: "The `model` sent to the moderation endpoint (e.g. omni-moderation-latest); unset, none is sent.",
  }),
  contentModerationTimeoutMs: setting<number>({
    type: "integer",
    env: "KEYLESS_CONTENT_MODERATION_TIMEOUT_MS",
    flag: "--content-moderation-timeout-ms",
    default: 5000,
    min: 50,
    max: 120_000,
    description: "How long one call to the moderation endpoint may take before it counts as failed (see contentModerationFailOpen).",
  }),
  contentModerationFailOpen: setting<boolean>({
    type: "boolean",
    env: "KEYLESS_CONTENT_MODERATION_FAIL_OPEN",
    flag: "--content-moderation-fail-open",
    default: false,
    description:
      "When the moderation endpoint fails or times out: false (fail closed) answers the call 503 ContentFilterUnavailable; true (fail open) rates the text by the built-in classifier only and logs a warning. Fail open only where unscreened text is acceptable.",
  }),
  raiBlocklistMaxItems: setting<number>({
    type: "integer",
    env: "KEYLESS_RAI_BLOCKLIST_MAX_ITEMS",
    flag: "--rai-blocklist-max-items",
    default: 10_000,
    min: 1,
    max: 1_000_000,
    description:
      "Items one content-filter blocklist (`accounts/raiBlocklists`) may hold; a write beyond it is 400 RaiBlocklistItemLimitExceeded.",
  }),
  raiBlocklistPatternMaxLength: setting<number>({
    type: "integer",
    env: "KEYLESS_RAI_BLOCKLIST_PATTERN_MAX_LENGTH",
    flag: "--rai-blocklist-pattern-max-length",
    default: 1000,
    min: 1,
    max: 100_000,
    description: "Characters of one blocklist item's `pattern` (a term or a regular expression).",
  }),
  raiBlocklistBatchMaxItems: setting<number>({
    type: "integer",
    env: "KEYLESS_RAI_BLOCKLIST_BATCH_MAX_ITEMS",
    flag: "--rai-blocklist-batch-max-items",
    default: 100,
    min: 1,
    max: 100_000,
    description: "Items one `addRaiBlocklistItems` call may add.",
  }),
  logLevel: setting<string>({
    type: "string",
    env: "KEYLESS_LOG_LEVEL",
    flag: "--log-level",
    default: "info",
    description: "Log level: fatal, error, warn, info, debug, trace or silent.",
  }),
  logFormat: setting<string>({
    type: "string",
    env: "KEYLESS_LOG_FORMAT",
    flag: "--log-format",
    default: "auto",
    description:
      "Console log format: `pretty` (one short human line per record and per request), `json` (pino's JSON lines, for log collectors) or `auto` (pretty when standard output is a terminal, JSON otherwise). Secrets are redacted in both.",
  }),
} as const;

type Schema = typeof schema;
export type SettingKey = keyof Schema;
type ValueOf<S> = S extends SettingSpec<infer T> ? T : never;

/**
 * The settings that may stay unset (their default is `undefined`). Every other setting has a default, or one
 * derived in `resolveDefaults`, so the loaded `Config` always holds it; a unit test keeps this list true to the
 * schema.
 */
export const OPTIONAL_SETTINGS = [
  "tlsCert",
  "tlsKey",
  "masterKey",
  "adminPassword",
  "federationFile",
  "modelsFile",
  "accountHostSuffix",
  "metricsPort",
  "otlpEndpoint",
  "contentModerationUrl",
  "contentModerationApiKey",
  "contentModerationModel",
] as const satisfies readonly SettingKey[];

type OptionalKey = (typeof OPTIONAL_SETTINGS)[number];

/** The validated, frozen configuration: every setting with a default is present, the optional ones may be unset. */
export type Config = Readonly<
  { [K in Exclude<SettingKey, OptionalKey>]: ValueOf<Schema[K]> } & { [K in OptionalKey]: ValueOf<Schema[K]> | undefined } & {
    configFile: string | undefined;
  }
>;
