import { catalogErrors, WireError, withDetails } from "../core/errors.ts";

/**
 * The data plane's error catalog. Bodies are `{"error":{"code","message",…}}`, the shape the openai SDK and
 * @azure-rest/ai-inference surface (docs/protocol-notes.md, "Error shapes"); the HTTP edge renders it.
 */
const AUDIENCE = "https://cognitiveservices.azure.com";

const catalog = {
  Unauthorized: {
    status: 401,
    template: (detail: string) =>
      `Unauthorized. Access token is missing, invalid, audience is incorrect (${AUDIENCE}), or have expired. ${detail}`,
  },
  PermissionDenied: {
    status: 401,
    template: (principal: string, dataAction: string, operation: string) =>
      `The principal \`${principal}\` lacks the required data action \`${dataAction}\` to perform \`${operation}\` operation.`,
  },
  InvalidSubscriptionKey: {
    status: 401,
    template: () =>
      "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
  },
  AuthenticationTypeDisabled: {
    status: 403,
    template: () =>
      "Key based authentication is disabled for this resource. Use a Microsoft Entra ID token (scope https://cognitiveservices.azure.com/.default) instead of the key.",
  },
  AccountHostNotRecognized: {
    status: 404,
    template: (host: string, suffix: string) =>
      `The host name '${host}' does not name an account: use {account}.${suffix}, or the …/accounts/{account}/… path on this service's own host.`,
  },
  AccountNotFound: {
    status: 404,
    template: (account: string) =>
      `No account named '${account}' exists on this service. Check the endpoint URL: it names the account (…/accounts/{account}/…).`,
  },
  DeploymentNotFound: {
    status: 404,
    template: (deployment: string, account: string) =>
      `The API deployment '${deployment}' does not exist in account '${account}'. List deployments with 'az cognitiveservices account deployment list' and use a deployment name as 'model'.`,
  },
  MissingApiVersion: {
    status: 400,
    template: (examples: string) => `Missing required query parameter 'api-version'. Use one of: ${examples}.`,
  },
  UnsupportedApiVersion: {
    status: 400,
    template: (version: string, examples: string) => `The api-version '${version}' is not supported. Use one of: ${examples}.`,
  },
  ResponseNotFound: {
    status: 404,
    template: (id: string) =>
      `Response with id '${id}' not found. Responses are kept per caller: only the principal that created one may read, chain or delete it, until it expires.`,
  },
  ConversationTooLarge: {
    status: 400,
    template: (bytes: number, limit: number) =>
      `The conversation carried by 'previous_response_id' and 'input' is ${bytes} bytes, more than the ${limit} bytes this service keeps per response. Start a new chain (send the context you need as 'input'), or ask the operator to raise responsesMaxConversationBytes.`,
  },
  InvalidJson: { status: 400, template: (detail: string) => `The request body is not valid JSON: ${detail}` },
  RequestEntityTooLarge: {
    status: 413,
    template: (limit: number) =>
      `The request body is larger than ${limit} bytes, the limit of this operation. Send less (fewer or shorter inputs or messages), or ask the operator to raise the limit.`,
  },
  JsonTooDeep: {
    status: 400,
    template: (depth: number) => `The request body nests objects and arrays deeper than ${depth} levels, the limit of this service.`,
  },
  invalid_type: {
    status: 400,
    template: (param: string, expected: string, got: string) =>
      `Invalid type for '${param}': expected ${expected}, but got ${got} instead.`,
  },
  missing_required_parameter: { status: 400, template: (param: string) => `Missing required parameter: '${param}'.` },
  invalid_value: { status: 400, template: (param: string, detail: string) => `Invalid value for '${param}': ${detail}` },
  array_above_max_length: {
    status: 400,
    template: (param: string, max: number, got: number) =>
      `Invalid '${param}': array too long. Expected an array with maximum length ${max}, but got an array with length ${got} instead.`,
  },
  context_length_exceeded: {
    status: 400,
    template: (limit: number, messages: number, completion: number | undefined) =>
      completion === undefined
        ? `This model's maximum context length is ${limit} tokens. However, your messages resulted in ${messages} tokens. Please reduce the length of the messages.`
        : `This model's maximum context length is ${limit} tokens. However, you requested ${messages + completion} tokens (${messages} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`,
  },
  TooManyInputs: {
    status: 400,
    template: (max: number) =>
      `Too many inputs. The max number of inputs is ${max}. We hope to increase the number of inputs per request soon. Send the inputs in batches of at most ${max}.`,
  },
  InputTooLong: {
    status: 400,
    template: (limit: number, tokens: number) =>
      `This model's maximum context length is ${limit} tokens, however you requested ${tokens} tokens (${tokens} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`,
  },
  InvalidRequest: { status: 400, template: (detail: string) => detail },
  OperationNotSupported: {
    status: 400,
    template: (operation: string, modelType: string) =>
      `The deployment's model is of type '${modelType}' and does not support '${operation}'.`,
  },
  QuotaExceeded: {
    status: 403,
    template: (principal: string, deployment: string, spent: number, tokens: number, period: string, resetsAt: string) =>
      `Token quota exceeded: principal '${principal}' has used ${spent} of its ${tokens} tokens per ${period} on deployment '${deployment}'. The quota resets at ${resetsAt}; ask an administrator to raise it (keyless quota create) or wait until then.`,
  },
  RateLimitExceeded: { status: 429, template: (seconds: number) => `Rate limit is exceeded. Try again in ${seconds} seconds.` },
  TooManyConcurrentStreams: {
    status: 429,
    template: (max: number) =>
      `This caller already has ${max} streams open, the most one caller may hold. Finish or cancel one, then try again.`,
  },
  RequestExceedsTokenRateLimit: {
    status: 429,
    template: (requested: number, limit: number) =>
      `Requests to this deployment have exceeded token rate limit of your current pricing tier: this one asks for ${requested} tokens (prompt and max_tokens) and the deployment allows ${limit} tokens per minute. Please retry after 86400 seconds, or lower max_tokens, or raise the deployment's capacity.`,
  },
  InternalServerError: {
    status: 500,
    template: (requestId: string) =>
      `The server had an error while processing your request. Try again; if it persists, give the operator this request id: ${requestId}.`,
  },
  BackendUnavailable: {
    status: 502,
    template: () => "The model backend failed to answer. Try again; if it persists, check the backend's health.",
  },
  BackendCredentialUnavailable: {
    status: 502,
    template: (reason: string) =>
      `This service could not get a Microsoft Entra token to call the model backend: ${reason}. Ask the operator to check the backend's auth settings in the models file (tenant, client id, secret, certificate or token file).`,
  },
  BackendAuthorizationFailed: {
    status: 502,
    template: (status: number, code: string) =>
      `The model backend refused this service's own credential (HTTP ${status} ${code}). The operator must give the backend's identity access there (for Azure OpenAI: Cognitive Services User or Cognitive Services OpenAI User on the resource).`,
  },
  BackendBusy: {
    status: 503,
    template: (connections: number) =>
      `All ${connections} connections to the model backend are busy. Try again shortly; if it persists, ask the operator to raise the backend's maxConnections.`,
  },
  BackendTimeout: {
    status: 504,
    template: () => "The model backend did not answer in time. Try again, or ask the operator to raise the backend's timeouts.",
  },
  PolicyUnavailable: {
    status: 503,
    template: (reason: string) => `Access cannot be decided on this Keyless node right now: ${reason} Retry the call shortly.`,
  },
  content_filter: {
    status: 400,
    template: () =>
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
  },
  ContentFilterUnavailable: {
    status: 503,
    template: () =>
      "The content filter could not rate this request (the moderation endpoint did not answer in time). Try again; if it persists, ask the operator to check the moderation endpoint or its timeout.",
  },
  ServiceShuttingDown: {
    status: 503,
    template: (graceSeconds: number) =>
      `This Keyless node is shutting down and its ${graceSeconds}-second grace period for calls in flight is over. Retry the call: another node answers it.`,
  },
  BackendRejected: {
    status: 400,
    template: (status: number, message: string) => `The model backend rejected the request (${status}): ${message}`,
  },
} as const;

type DataPlaneErrorName = keyof typeof catalog;
export const dataPlaneCatalog: Readonly<Record<DataPlaneErrorName, { status: number }>> = catalog;

export const dataPlaneError = catalogErrors(catalog);

/**
 * What a caller is told of a failure: a catalog error as it is; anything else, a failure of this service's own,
 * as a 500 naming the request id its cause is logged under (never the cause itself, never blamed on the backend).
 */
export function publicFailure(err: unknown, requestId: string): WireError {
  return err instanceof WireError ? err : dataPlaneError("InternalServerError", requestId);
}

/** OpenAI-style validation errors also name their `type` and the offending `param` (null when none), as Azure sends them. */
export function invalidRequest(error: WireError, param: string | null): WireError {
  return withDetails(error, { type: "invalid_request_error", param });
}
