import { dirname, resolve } from "node:path";
import { readYamlFile } from "../config/yaml-input.ts";
import type { ModelLimits, ModelType } from "./chat-types.ts";

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
      timeouts: { connectMs: number; firstByteMs: number; totalMs: number; poolWaitMs: number };
      maxConnections: number;
    }
  | { name: string; type: "scripted"; file: string };

export interface ModelDeclaration {
  format: string;
  name: string;
  version: string;
  type: ModelType;
  backend: string;
  upstreamModel: string;
  provider: string;
  limits: ModelLimits;
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
    };
  });
  return { backends, models };
}

function backendOf(b: Record<string, unknown>, i: number, baseDir: string, fail: (d: string) => never): BackendDeclaration {
  const at = `backends[${i}]`;
  const name = text(b.name, `${at}.name`, fail);
  if (BUILTIN_BACKENDS.includes(name)) fail(`${at}.name '${name}' is reserved for a built-in backend.`);
  if (b.type === "scripted") return { name, type: "scripted", file: resolve(baseDir, text(b.file, `${at}.file`, fail)) };
  if (b.type !== "openai-compatible") return fail(`${at}.type must be 'openai-compatible' or 'scripted'.`);
  const baseUrl = text(b.baseUrl, `${at}.baseUrl`, fail);
  if (!/^https?:\/\//.test(baseUrl)) fail(`${at}.baseUrl must be an http(s) URL such as http://127.0.0.1:11434/v1.`);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...(isRecord(b.timeouts) ? b.timeouts : {}) };
  for (const [key, value] of Object.entries(timeouts))
    if (!Number.isInteger(value) || (value as number) <= 0) fail(`${at}.timeouts.${key} must be a positive integer (milliseconds).`);
  const apiKeyEnv = b.apiKeyEnv === undefined ? undefined : text(b.apiKeyEnv, `${at}.apiKeyEnv`, fail);
  const maxConnections = b.maxConnections === undefined ? 64 : Number(b.maxConnections);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) fail(`${at}.maxConnections must be a positive integer.`);
  return { name, type: "openai-compatible", baseUrl, apiKeyEnv, timeouts: timeouts as typeof DEFAULT_TIMEOUTS, maxConnections };
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
