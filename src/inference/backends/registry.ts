import type { ModelBackend, ModelLimits, ModelType } from "../chat-types.ts";
import type { BackendDeclaration, ModelsFile } from "../model-config.ts";
import { ModelsFileError } from "../model-config.ts";
import { builtinChat } from "./builtin/chat.ts";
import { builtinEmbeddings, DEFAULT_DIMENSIONS } from "./builtin/embeddings.ts";
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
}

/** Built-in models, available offline on every installation. */
export const builtinModels: readonly CatalogModel[] = [
  {
    format: "Keyless",
    name: "keyless-echo",
    version: "1",
    modelType: "chat-completions",
    provider: "Keyless",
    backend: builtinChat,
    backendModel: "keyless-echo",
    limits: { contextTokens: 128_000 },
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
): ModelBackend & { close?(): Promise<void> } {
  switch (declaration.type) {
    case "openai-compatible": {
      const apiKey = declaration.apiKeyEnv === undefined ? undefined : env[declaration.apiKeyEnv];
      if (declaration.apiKeyEnv !== undefined && !apiKey)
        throw new ModelsFileError(`Backend '${declaration.name}' names apiKeyEnv ${declaration.apiKeyEnv}, which is not set.`);
      return openaiCompatible({
        baseUrl: declaration.baseUrl,
        apiKey,
        timeouts: declaration.timeouts,
        maxConnections: declaration.maxConnections,
      });
    }
    case "scripted":
      return scriptedModel(loadScript(declaration.file));
  }
}

/** The built-in models plus the operator's declared ones; a declared model may not shadow a built-in one. */
export function createModelRegistry(file: ModelsFile | undefined, env: Readonly<Record<string, string | undefined>> = {}): ModelRegistry {
  const backends = new Map<string, ModelBackend & { close?(): Promise<void> }>([
    ["builtin-chat", builtinChat],
    ["builtin-embeddings", builtinEmbeddings],
  ]);
  for (const declaration of file?.backends ?? []) backends.set(declaration.name, backendFor(declaration, env));
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
