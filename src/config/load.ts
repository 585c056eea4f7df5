import { join } from "node:path";
import { type Config, type SettingKey, type SettingSpec, schema } from "./schema.ts";
import { readYamlFile } from "./yaml-input.ts";

export class ConfigError extends Error {}

export interface ConfigSources {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Values given in code (tests, embedding); they win over everything else. */
  overrides?: Partial<Record<SettingKey, unknown>>;
}

const keys = Object.keys(schema) as SettingKey[];

/** Reads flags, environment, an optional `--config FILE` (JSON or YAML), then defaults; validates once; freezes. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const { flags, configFile } = parseArgv(sources.argv ?? []);
  const file = configFile ? readConfigFile(configFile) : {};
  const env = sources.env ?? {};
  const values: Record<string, unknown> = {};
  for (const key of keys) {
    const spec: SettingSpec<unknown> = schema[key];
    const raw = sources.overrides?.[key] ?? flags.get(spec.flag) ?? env[spec.env] ?? file[key];
    values[key] = raw === undefined ? spec.default : coerce(key, spec, raw);
  }
  return Object.freeze(resolveDefaults(values, configFile));
}

function resolveDefaults(values: Record<string, unknown>, configFile: string | undefined): Config {
  const dataDir = values.dataDir as string;
  const port = values.port as number;
  if ((values.tlsCert === undefined) !== (values.tlsKey === undefined)) {
    throw new ConfigError("--tls-cert and --tls-key go together: give both, or neither to use the generated local CA.");
  }
  if (!/^(memory|rediss?:\/\/.+)$/.test(values.rateLimitStore as string)) {
    throw new ConfigError(`rateLimitStore must be 'memory' or a redis:// (or rediss://) URL, for example redis://127.0.0.1:6379.`);
  }
  if (!["auto", "pretty", "json"].includes(values.logFormat as string)) {
    throw new ConfigError(`logFormat must be 'auto', 'pretty' or 'json'.`);
  }
  return {
    ...(values as Omit<Config, "publicUrl" | "storage" | "adminUsername" | "configFile">),
    publicUrl: ((values.publicUrl as string | undefined) ?? `https://localhost:${port}`).replace(/\/+$/, ""),
    storage: (values.storage as string | undefined) ?? `sqlite:${join(dataDir, "keyless.db")}`,
    adminUsername: (values.adminUsername as string | undefined) ?? `admin@${values.tenantDomain as string}`,
    configFile,
  };
}

function parseArgv(argv: readonly string[]): { flags: Map<string, string>; configFile: string | undefined } {
  const known = new Set(keys.map((k) => schema[k].flag));
  const flags = new Map<string, string>();
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (name !== "--config" && !known.has(name)) throw new ConfigError(`Unknown option '${name}'. Run with --help to list the options.`);
    const isBoolean = keys.some((k) => schema[k].flag === name && schema[k].type === "boolean");
    const value = inline ?? (isBoolean && !argv[i + 1]?.match(/^(true|false)$/) ? "true" : argv[++i]);
    if (value === undefined) throw new ConfigError(`Option '${name}' needs a value.`);
    if (name === "--config") configFile = value;
    else flags.set(name, value);
  }
  return { flags, configFile };
}

function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = readYamlFile(path);
  } catch (err) {
    throw new ConfigError(`Cannot read the configuration file '${path}': ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(`The configuration file '${path}' must hold a mapping of setting names to values.`);
  }
  const unknown = Object.keys(parsed).filter((k) => !(k in schema));
  if (unknown.length > 0) {
    throw new ConfigError(`Unknown setting(s) ${unknown.map((k) => `'${k}'`).join(", ")} in '${path}'. Known: ${keys.join(", ")}.`);
  }
  return parsed as Record<string, unknown>;
}

function coerce(key: string, spec: SettingSpec<unknown>, raw: unknown): unknown {
  const text = typeof raw === "string" ? raw.trim() : raw;
  switch (spec.type) {
    case "string":
      if (typeof text !== "string" || text === "") throw invalid(key, spec, "a non-empty string");
      return text;
    case "integer": {
      const n = typeof text === "number" ? text : Number(text);
      if (!Number.isInteger(n)) throw invalid(key, spec, "an integer");
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw invalid(key, spec, `an integer from ${spec.min} to ${spec.max}`);
      }
      return n;
    }
    case "boolean":
      if (text === true || text === "true" || text === "1") return true;
      if (text === false || text === "false" || text === "0") return false;
      throw invalid(key, spec, "true or false");
    case "list":
      if (Array.isArray(text)) return text.map(String);
      if (typeof text !== "string") throw invalid(key, spec, "a comma-separated list");
      return text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
  }
}

function invalid(key: string, spec: SettingSpec<unknown>, expected: string): ConfigError {
  return new ConfigError(`Setting '${key}' (${spec.flag}, ${spec.env}) must be ${expected}.`);
}
