import { dirname, resolve } from "node:path";
import { readYamlFile } from "../config/yaml-input.ts";
import { DEPLOYMENT_SKUS, deploymentSkuNamed } from "../core/deployment-skus.ts";
import type { ModelLifecycle, ModelLimits, ModelType } from "./chat-types.ts";

/**
 * The operator's models file (setting `modelsFile`): named backends and the models they serve. Format in
 * docs/models.md. Secrets never sit in the file: an upstream API key is named by the environment variable
 * that holds it (`apiKeyEnv`).
 */
export type BackendDeclaration =
  | {
      name: string;
      type: "openai-compatible";
      baseUrl: string;
      apiKeyEnv: string | undefined;
      auth: AuthDeclaration | undefined;
      timeouts: { connectMs: number; firstByteMs: number; totalMs: number; poolWaitMs: number };
      maxConnections: number;
    }
  | {
      name: string;
      type: "azure-openai";
      endpoint: string;
      apiVersion: string;
      apiKeyEnv: string | undefined;
      auth: AuthDeclaration | undefined;
      timeouts: { connectMs: number; firstByteMs: number; totalMs: number; poolWaitMs: number };
      maxConnections: number;
    }
  | { name: string; type: "scripted"; file: string };

/**
 * A keyless upstream's `auth` block: how Keyless gets a Microsoft Entra token for the upstream. Secrets are named
 * by environment variable (`clientSecretEnv`, `identityHeaderEnv`); files by path (relative to the models file).
 */
export type AuthDeclaration = {
  scope: string;
  refreshBeforeExpirySeconds: number;
} & (
  | { type: "client-secret"; authorityHost: string; tenantId: string; clientId: string; clientSecretEnv: string }
  | { type: "client-certificate"; authorityHost: string; tenantId: string; clientId: string; certificateFile: string }
  | {
      type: "workload-identity";
      authorityHost: string | undefined;
      tenantId: string | undefined;
      clientId: string | undefined;
      /** Undefined: the file named by AZURE_FEDERATED_TOKEN_FILE when the server starts. */
      tokenFile: string | undefined;
    }
  | { type: "managed-identity"; endpointEnv: string; identityHeaderEnv: string; clientId: string | undefined }
);

const AUTH_TYPES = ["client-secret", "client-certificate", "workload-identity", "managed-identity"];
const COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default";

export interface ModelDeclaration {
  format: string;
  name: string;
  version: string;
  type: ModelType;
  backend: string;
  upstreamModel: string;
  provider: string;
  limits: ModelLimits;
  lifecycle: ModelLifecycle;
}

export interface ModelsFile {
  backends: BackendDeclaration[];
  models: ModelDeclaration[];
}

export class ModelsFileError extends Error {}

/** `poolWaitMs`: how long a call waits for one of the backend's `maxConnections` before 503 BackendBusy. */
const DEFAULT_TIMEOUTS = { connectMs: 5_000, firstByteMs: 60_000, totalMs: 600_000, poolWaitMs: 10_000 };
/** A declared chat model's context window when the file does not say (GPT-4o's). */
const DEFAULT_CONTEXT_TOKENS = 128_000;
const BUILTIN_BACKENDS = ["builtin-chat", "builtin-embeddings"];

export function readModelsFile(path: string, yamlSizeLimit?: number): ModelsFile {
  let parsed: unknown;
  try {
    parsed = readYamlFile(path, yamlSizeLimit);
  } catch (err) {
    throw new ModelsFileError(`Cannot read the models file '${path}': ${(err as Error).message}`);
  }
  return checkModelsFile(parsed, dirname(resolve(path)), path);
}

export function checkModelsFile(parsed: unknown, baseDir: string, where: string): ModelsFile {
  const fail = (detail: string) => {
    throw new ModelsFileError(`Models file '${where}': ${detail}`);
  };
  if (!isRecord(parsed)) return fail("it must be a mapping with 'backends' and 'models' lists.");
  const backends = list(parsed.backends, "backends", fail).map((b, i) => backendOf(b, i, baseDir, fail));
  const names = new Set([...BUILTIN_BACKENDS, ...backends.map((b) => b.name)]);
  const models = list(parsed.models, "models", fail).map((m, i): ModelDeclaration => {
    const at = `models[${i}]`;
    const type = m.type ?? "chat-completions";
    if (type !== "chat-completions" && type !== "embeddings") fail(`${at}.type must be 'chat-completions' or 'embeddings'.`);
    const backend = text(m.backend, `${at}.backend`, fail);
    if (!names.has(backend)) fail(`${at}.backend '${backend}' is not declared; known: ${[...names].join(", ")}.`);
    const name = text(m.name, `${at}.name`, fail);
    return {
      format: text(m.format, `${at}.format`, fail),
      name,
      version: String(m.version ?? "1"),
      type: type as ModelType,
      backend,
      upstreamModel: typeof m.upstreamModel === "string" ? m.upstreamModel : name,
      provider: typeof m.provider === "string" ? m.provider : String(m.format),
      limits:
        type === "embeddings"
          ? {
              maxInputTokens: positive(m.maxInputTokens, `${at}.maxInputTokens`, fail),
              dimensions: positive(m.dimensions, `${at}.dimensions`, fail),
            }
          : { contextTokens: positive(m.contextTokens, `${at}.contextTokens`, fail) ?? DEFAULT_CONTEXT_TOKENS },
      lifecycle: lifecycleOf(m, at, fail),
    };
  });
  markDefaultVersions(models);
  return { backends, models };
}

const LIFECYCLES = ["GenerallyAvailable", "Preview", "Deprecated"] as const;

function lifecycleOf(m: Record<string, unknown>, at: string, fail: (d: string) => never): ModelLifecycle {
  const status = m.lifecycle ?? "GenerallyAvailable";
  if (!LIFECYCLES.includes(status as (typeof LIFECYCLES)[number])) fail(`${at}.lifecycle must be one of ${LIFECYCLES.join(", ")}.`);
  if (m.default !== undefined && typeof m.default !== "boolean") fail(`${at}.default must be true or false.`);
  let deprecationDate: string | undefined;
  if (m.deprecationDate !== undefined) {
    const raw = m.deprecationDate instanceof Date ? m.deprecationDate.toISOString() : String(m.deprecationDate);
    if (Number.isNaN(Date.parse(raw))) fail(`${at}.deprecationDate must be a date (YYYY-MM-DD or ISO 8601).`);
    deprecationDate = new Date(Date.parse(raw)).toISOString();
  }
  let skus: string[] | undefined;
  if (m.skus !== undefined) {
    if (!Array.isArray(m.skus) || m.skus.length === 0) fail(`${at}.skus must be a non-empty list of SKU names.`);
    skus = (m.skus as unknown[]).map(
      (sku) =>
        deploymentSkuNamed(sku) ?? fail(`${at}.skus: '${String(sku)}' is not a deployment SKU; known: ${DEPLOYMENT_SKUS.join(", ")}.`),
    );
  }
  return { status: status as ModelLifecycle["status"], isDefaultVersion: m.default === true, deprecationDate, skus };
}

/** Of each format/name, the version marked `default: true`, else the last one declared, is the default version. */
function markDefaultVersions(models: ModelDeclaration[]): void {
  const groups = new Map<string, ModelDeclaration[]>();
  for (const m of models) {
    const key = `${m.format}/${m.name}`.toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  for (const versions of groups.values()) {
    const marked = versions.filter((v) => v.lifecycle.isDefaultVersion);
    if (marked.length > 1)
      throw new ModelsFileError(`Model ${versions[0]!.format}/${versions[0]!.name}: only one version may be 'default: true'.`);
    if (marked.length === 0) versions.at(-1)!.lifecycle.isDefaultVersion = true;
  }
}

function backendOf(b: Record<string, unknown>, i: number, baseDir: string, fail: (d: string) => never): BackendDeclaration {
  const at = `backends[${i}]`;
  const name = text(b.name, `${at}.name`, fail);
  if (BUILTIN_BACKENDS.includes(name)) fail(`${at}.name '${name}' is reserved for a built-in backend.`);
  if (b.type === "scripted") return { name, type: "scripted", file: resolve(baseDir, text(b.file, `${at}.file`, fail)) };
  if (b.type !== "openai-compatible" && b.type !== "azure-openai")
    return fail(`${at}.type must be 'openai-compatible', 'azure-openai' or 'scripted'.`);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...(isRecord(b.timeouts) ? b.timeouts : {}) };
  for (const [key, value] of Object.entries(timeouts))
    if (!Number.isInteger(value) || (value as number) <= 0) fail(`${at}.timeouts.${key} must be a positive integer (milliseconds).`);
  const apiKeyEnv = b.apiKeyEnv === undefined ? undefined : text(b.apiKeyEnv, `${at}.apiKeyEnv`, fail);
  const maxConnections = b.maxConnections === undefined ? 64 : Number(b.maxConnections);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) fail(`${at}.maxConnections must be a positive integer.`);
  const auth = b.auth === undefined ? undefined : authOf(b.auth, `${at}.auth`, baseDir, fail);
  if (auth && apiKeyEnv !== undefined) fail(`${at} sets both apiKeyEnv and auth; an upstream takes one credential.`);
  const common = { name, apiKeyEnv, auth, timeouts: timeouts as typeof DEFAULT_TIMEOUTS, maxConnections };
  if (b.type === "azure-openai") {
    const endpoint = text(b.endpoint, `${at}.endpoint`, fail);
    if (!/^https?:\/\//.test(endpoint)) fail(`${at}.endpoint must be an http(s) URL such as https://my-resource.openai.azure.com.`);
    const apiVersion = b.apiVersion === undefined ? "2024-10-21" : text(b.apiVersion, `${at}.apiVersion`, fail);
    return { ...common, type: "azure-openai", endpoint, apiVersion };
  }
  const baseUrl = text(b.baseUrl, `${at}.baseUrl`, fail);
  if (!/^https?:\/\//.test(baseUrl)) fail(`${at}.baseUrl must be an http(s) URL such as http://127.0.0.1:11434/v1.`);
  return { ...common, type: "openai-compatible", baseUrl };
}

function authOf(value: unknown, at: string, baseDir: string, fail: (d: string) => never): AuthDeclaration {
  if (!isRecord(value)) return fail(`${at} must be a mapping with a 'type' (${AUTH_TYPES.join(", ")}).`);
  const type = value.type;
  if (typeof type !== "string" || !AUTH_TYPES.includes(type)) return fail(`${at}.type must be one of: ${AUTH_TYPES.join(", ")}.`);
  const scope = value.scope === undefined ? COGNITIVE_SCOPE : text(value.scope, `${at}.scope`, fail);
  const refreshBeforeExpirySeconds = value.refreshBeforeExpirySeconds === undefined ? 300 : Number(value.refreshBeforeExpirySeconds);
  if (!Number.isInteger(refreshBeforeExpirySeconds) || refreshBeforeExpirySeconds < 0)
    fail(`${at}.refreshBeforeExpirySeconds must be a whole number of seconds (0 or more).`);
  const base = { scope, refreshBeforeExpirySeconds };
  const optional = (key: string) => (value[key] === undefined ? undefined : text(value[key], `${at}.${key}`, fail));
  const authorityHost = (required: boolean) => {
    const host = required ? (optional("authorityHost") ?? "https://login.microsoftonline.com") : optional("authorityHost");
    if (host !== undefined && !host.startsWith("https://")) fail(`${at}.authorityHost must be an https URL (as MSAL requires).`);
    return host;
  };
  if (type === "managed-identity")
    return {
      ...base,
      type,
      endpointEnv: optional("endpointEnv") ?? "IDENTITY_ENDPOINT",
      identityHeaderEnv: optional("identityHeaderEnv") ?? "IDENTITY_HEADER",
      clientId: optional("clientId"),
    };
  if (type === "workload-identity") {
    const tokenFile = optional("tokenFile");
    return {
      ...base,
      type,
      authorityHost: authorityHost(false),
      tenantId: optional("tenantId"),
      clientId: optional("clientId"),
      tokenFile: tokenFile === undefined ? undefined : resolve(baseDir, tokenFile),
    };
  }
  const authority = {
    authorityHost: authorityHost(true)!,
    tenantId: text(value.tenantId, `${at}.tenantId`, fail),
    clientId: text(value.clientId, `${at}.clientId`, fail),
  };
  if (type === "client-secret")
    return { ...base, ...authority, type, clientSecretEnv: text(value.clientSecretEnv, `${at}.clientSecretEnv`, fail) };
  return {
    ...base,
    ...authority,
    type: "client-certificate",
    certificateFile: resolve(baseDir, text(value.certificateFile, `${at}.certificateFile`, fail)),
  };
}

function list(value: unknown, name: string, fail: (d: string) => never): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isRecord)) return fail(`'${name}' must be a list of mappings.`);
  return value;
}

function text(value: unknown, at: string, fail: (d: string) => never): string {
  if (typeof value !== "string" || value === "") return fail(`${at} is required (text).`);
  return value;
}

function positive(value: unknown, at: string, fail: (d: string) => never): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1) return fail(`${at} must be a positive integer.`);
  return value as number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
