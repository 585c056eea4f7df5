import type { ModelBackend, ModelLifecycle, ModelLimits, ModelType } from "../chat-types.ts";
import type { AuthDeclaration, BackendDeclaration, ModelsFile } from "../model-config.ts";
import { ModelsFileError } from "../model-config.ts";
import { builtinChat } from "./builtin/chat.ts";
import { builtinEmbeddings, DEFAULT_DIMENSIONS } from "./builtin/embeddings.ts";
import { apiKeyAuth, azureOpenAi } from "./azure-openai/index.ts";
import { type EntraAuth, entraAuth, readCertificateKey } from "./entra-token.ts";
import { openaiCompatible } from "./openai-compatible/index.ts";
import { loadScript, scriptedModel } from "./scripted/index.ts";

/** A model an operator can deploy, and the backend that runs it. */
export interface CatalogModel {
  format: string;
  name: string;
  version: string;
  modelType: ModelType;
  provider: string;
  backend: ModelBackend;
  backendModel: string;
  limits: ModelLimits;
  lifecycle: ModelLifecycle;
}

const GENERALLY_AVAILABLE: ModelLifecycle = {
  status: "GenerallyAvailable",
  isDefaultVersion: true,
  deprecationDate: undefined,
  skus: undefined,
};

/** Built-in models, available offline on every installation. */
const builtinModels: readonly CatalogModel[] = [
  {
    format: "Keyless",
    name: "keyless-echo",
    version: "1",
    modelType: "chat-completions",
    provider: "Keyless",
    backend: builtinChat,
    backendModel: "keyless-echo",
    limits: { contextTokens: 128_000 },
    lifecycle: GENERALLY_AVAILABLE,
  },
  {
    format: "Keyless",
    name: "keyless-embed",
    version: "1",
    modelType: "embeddings",
    provider: "Keyless",
    backend: builtinEmbeddings,
    backendModel: "keyless-embed",
    limits: { maxInputTokens: 8192, dimensions: DEFAULT_DIMENSIONS },
    lifecycle: GENERALLY_AVAILABLE,
  },
];

export interface ModelRegistry {
  listModels(): readonly CatalogModel[];
  findModel(format: string, name: string, version: string): CatalogModel | undefined;
  close(): Promise<void>;
}

/** Every adapter, by the `type` a models file names (backends are data: docs/architecture.md, "Decisions"). */
function backendFor(
  declaration: BackendDeclaration,
  env: Readonly<Record<string, string | undefined>>,
  warn: Warn,
): ModelBackend & { close?(): Promise<void> } {
  // A token refresh that failed while the cached token still held: the operator hears of it before the token expires.
  const refreshFailed = (err: unknown) =>
    warn(`backend '${declaration.name}': token refresh failed; the cached token is used until it expires`, err);
  switch (declaration.type) {
    case "openai-compatible": {
      const apiKey = declaration.apiKeyEnv === undefined ? undefined : env[declaration.apiKeyEnv];
      if (declaration.apiKeyEnv !== undefined && !apiKey)
        throw new ModelsFileError(`Backend '${declaration.name}' names apiKeyEnv ${declaration.apiKeyEnv}, which is not set.`);
      return openaiCompatible({
        baseUrl: declaration.baseUrl,
        apiKey,
        auth: declaration.auth && entraAuth(entraAuthOf(declaration.name, declaration.auth, env), refreshFailed),
        timeouts: declaration.timeouts,
        maxConnections: declaration.maxConnections,
      });
    }
    case "azure-openai": {
      const key = declaration.apiKeyEnv === undefined ? undefined : env[declaration.apiKeyEnv];
      if (declaration.apiKeyEnv !== undefined && !key)
        throw new ModelsFileError(`Backend '${declaration.name}' names apiKeyEnv ${declaration.apiKeyEnv}, which is not set.`);
      if (!declaration.auth && !key) throw new ModelsFileError(`Backend '${declaration.name}' (azure-openai) needs 'auth' or 'apiKeyEnv'.`);
      return azureOpenAi({
        endpoint: declaration.endpoint,
        apiVersion: declaration.apiVersion,
        auth: key ? apiKeyAuth(key) : entraAuth(entraAuthOf(declaration.name, declaration.auth!, env), refreshFailed),
        timeouts: declaration.timeouts,
        maxConnections: declaration.maxConnections,
      });
    }
    case "scripted":
      return scriptedModel(loadScript(declaration.file));
  }
}

/** A backend's `auth` block with its environment variables and files read (at start: a missing one stops it). */
function entraAuthOf(backend: string, auth: AuthDeclaration, env: Readonly<Record<string, string | undefined>>): EntraAuth {
  const need = (name: string, what: string) => {
    const value = env[name];
    if (!value) throw new ModelsFileError(`Backend '${backend}' reads ${what} from ${name}, which is not set.`);
    return value;
  };
  const common = { scope: auth.scope, refreshBeforeMs: auth.refreshBeforeExpirySeconds * 1000 };
  try {
    switch (auth.type) {
      case "client-secret":
        return { ...common, ...auth, clientSecret: need(auth.clientSecretEnv, "its client secret") };
      case "client-certificate":
        return { ...common, ...auth, certificate: readCertificateKey(auth.certificateFile) };
      case "workload-identity":
        return {
          ...common,
          type: "workload-identity",
          authorityHost: auth.authorityHost ?? env.AZURE_AUTHORITY_HOST ?? "https://login.microsoftonline.com",
          tenantId: auth.tenantId ?? need("AZURE_TENANT_ID", "its tenant"),
          clientId: auth.clientId ?? need("AZURE_CLIENT_ID", "its client id"),
          tokenFile: auth.tokenFile ?? need("AZURE_FEDERATED_TOKEN_FILE", "its federated token file"),
        };
      case "managed-identity":
        return {
          ...common,
          type: "managed-identity",
          endpoint: need(auth.endpointEnv, "its managed-identity endpoint"),
          identityHeader: need(auth.identityHeaderEnv, "its managed-identity header"),
          clientId: auth.clientId,
        };
    }
  } catch (err) {
    if (err instanceof ModelsFileError) throw err;
    throw new ModelsFileError(`Backend '${backend}': ${(err as Error).message}`);
  }
}

/** The built-in models plus the operator's declared ones; a declared model may not shadow a built-in one. */
/** Where a backend reports what the operator should hear of (the server log). */
type Warn = (message: string, err: unknown) => void;

export function createModelRegistry(
  file: ModelsFile | undefined,
  env: Readonly<Record<string, string | undefined>> = {},
  warn: Warn = () => {},
): ModelRegistry {
  const backends = new Map<string, ModelBackend & { close?(): Promise<void> }>([
    ["builtin-chat", builtinChat],
    ["builtin-embeddings", builtinEmbeddings],
  ]);
  for (const declaration of file?.backends ?? []) backends.set(declaration.name, backendFor(declaration, env, warn));
  const models: CatalogModel[] = [...builtinModels];
  for (const m of file?.models ?? []) {
    if (lookup(models, m.format, m.name, m.version))
      throw new ModelsFileError(`Model ${m.format}/${m.name}/${m.version} is declared twice (or shadows a built-in model).`);
    models.push({
      format: m.format,
      name: m.name,
      version: m.version,
      modelType: m.type,
      provider: m.provider,
      backend: backends.get(m.backend)!,
      backendModel: m.upstreamModel,
      limits: m.limits,
      lifecycle: m.lifecycle,
    });
  }
  return {
    listModels: () => models,
    findModel: (format, name, version) => lookup(models, format, name, version),
    async close() {
      await Promise.all([...backends.values()].map((b) => b.close?.()));
    },
  };
}

function lookup(models: readonly CatalogModel[], format: string, name: string, version: string): CatalogModel | undefined {
  return models.find(
    (m) => m.format.toLowerCase() === format.toLowerCase() && m.name.toLowerCase() === name.toLowerCase() && m.version === version,
  );
}
