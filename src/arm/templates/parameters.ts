/**
 * Template parameters: the values given (ARM's `{ name: { value } }` form, or plain values), defaults (which may be
 * expressions over earlier parameters, `utcNow()` and `newGuid()`), and the checks ARM makes — type, allowed values,
 * min/max value and length — each failing with ARM's message naming the parameter. A secure parameter's value never
 * appears in a message.
 */
import { invalidParameter, invalidTemplate, type TemplateLocation } from "./errors.ts";
import { located, PathError, type ResolvedParameter, type TemplateScope } from "./template-scope.ts";
import { childPath } from "./template-text.ts";
import { equalityKey, getProperty, isObject, type JsonObject, toArmString, typeName } from "./values.ts";

const TYPES: Record<string, { name: string; check: (v: unknown) => boolean; secure: boolean }> = {
  string: { name: "String", check: (v) => typeof v === "string", secure: false },
  securestring: { name: "SecureString", check: (v) => typeof v === "string", secure: true },
  int: { name: "Integer", check: (v) => typeof v === "number" && Number.isSafeInteger(v), secure: false },
  bool: { name: "Boolean", check: (v) => typeof v === "boolean", secure: false },
  object: { name: "Object", check: isObject, secure: false },
  secureobject: { name: "SecureObject", check: isObject, secure: true },
  array: { name: "Array", check: Array.isArray, secure: false },
};

export function typeInfo(type: unknown): (typeof TYPES)[string] | undefined {
  return typeof type === "string" && Object.hasOwn(TYPES, type.toLowerCase()) ? TYPES[type.toLowerCase()] : undefined;
}

/** The value of each given parameter, unwrapping `{ value }`; a Key Vault `reference` is refused. */
export function givenValues(parameters: Record<string, unknown>): Map<string, { name: string; value: unknown }> {
  const out = new Map<string, { name: string; value: unknown }>();
  for (const [name, raw] of Object.entries(parameters ?? {})) {
    if (isObject(raw) && getProperty(raw, "reference").found && !getProperty(raw, "value").found) {
      throw invalidTemplate(
        { path: `parameters.${name}` },
        `The parameter '${name}' is a Key Vault reference. Key Vault references are not supported by Keyless; pass the value itself (as a secureString parameter).`,
      );
    }
    const wrapped =
      isObject(raw) &&
      Object.keys(raw).length >= 1 &&
      Object.keys(raw).every((k) => ["value", "metadata"].includes(k.toLowerCase())) &&
      getProperty(raw, "value").found;
    out.set(name.toLowerCase(), { name, value: wrapped ? (getProperty(raw as JsonObject, "value") as { value: unknown }).value : raw });
  }
  return out;
}

interface Definition {
  name: string;
  def: JsonObject;
  path: string;
}

/**
 * Resolves every declared parameter into `scope.parameters`. `where` gives the line/column of a path.
 * `definitions` holds languageVersion 2.0 user-defined types for `$ref`.
 */
export async function resolveParameters(
  scope: TemplateScope,
  declared: JsonObject,
  given: Map<string, { name: string; value: unknown }>,
  where: (path: string) => TemplateLocation,
  definitions: JsonObject,
): Promise<void> {
  const defs = new Map<string, Definition>();
  for (const [name, def] of Object.entries(declared)) {
    const path = childPath("parameters", name);
    if (!isObject(def)) throw invalidParameter(name, where(path), "{parameter} is not valid: a parameter must be an object with a 'type'.");
    defs.set(name.toLowerCase(), { name, def: withRef(def, definitions, name, where(path)), path });
  }
  const unknown = [...given.values()].filter((g) => !defs.has(g.name.toLowerCase())).map((g) => g.name);
  if (unknown.length > 0) {
    throw invalidTemplate(
      { path: "parameters" },
      `The template parameters '${unknown.join(", ")}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '${[...defs.values()].map((d) => d.name).join(", ")}'. Please see https://aka.ms/arm-pass-parameter-values for usage details.`,
    );
  }
  const resolving = new Set<string>();
  const resolve = async (name: string): Promise<ResolvedParameter | undefined> => {
    const key = name.toLowerCase();
    const done = scope.parameters.get(key);
    if (done) return done;
    const d = defs.get(key);
    if (!d) return undefined;
    if (resolving.has(key))
      throw invalidParameter(
        d.name,
        where(d.path),
        "{parameter} is not valid: its default value refers to itself through other parameters.",
      );
    resolving.add(key);
    try {
      const resolved = await resolveOne(scope, d, given.get(key), where);
      scope.parameters.set(key, resolved);
      return resolved;
    } finally {
      resolving.delete(key);
    }
  };
  scope.parameterResolver = resolve;
  try {
    for (const d of defs.values()) await resolve(d.name);
  } finally {
    scope.parameterResolver = undefined;
  }
}

function withRef(def: JsonObject, definitions: JsonObject, name: string, location: TemplateLocation): JsonObject {
  const ref = getProperty(def, "$ref");
  if (!ref.found) return def;
  const m = typeof ref.value === "string" ? /^#\/definitions\/(.+)$/.exec(ref.value) : null;
  const target = m ? getProperty(definitions, m[1]!) : { found: false as const };
  if (!target.found || !isObject(target.value))
    throw invalidParameter(
      name,
      location,
      `{parameter} is not valid: the type reference '${toArmString(ref.value)}' is not defined in 'definitions'.`,
    );
  return { ...target.value, ...def };
}

async function resolveOne(
  scope: TemplateScope,
  d: Definition,
  given: { value: unknown } | undefined,
  where: (path: string) => TemplateLocation,
): Promise<ResolvedParameter> {
  const field = (key: string): unknown => {
    const p = getProperty(d.def, key);
    return p.found ? p.value : undefined;
  };
  const info = typeInfo(field("type"));
  if (!info) {
    throw invalidParameter(
      d.name,
      where(childPath(d.path, "type")),
      `{parameter} is not valid: the type '${toArmString(field("type"))}' is not one of 'string, securestring, int, bool, object, secureObject, array'.`,
    );
  }
  const type = String(field("type"));
  let value: unknown;
  if (given !== undefined) {
    value = given.value;
  } else if (getProperty(d.def, "defaultValue").found) {
    const env = scope.envFor("parameterDefault", [], undefined);
    try {
      value = await scope.evaluateValue(field("defaultValue"), childPath(d.path, "defaultValue"), env, false);
    } catch (error) {
      const e = located(childPath(d.path, "defaultValue"), error);
      if (e instanceof PathError) throw invalidParameter(d.name, where(e.path), `{parameter} is not valid: ${e.message}`);
      throw e;
    }
  } else if (field("nullable") === true) {
    value = null;
  } else {
    throw invalidParameter(d.name, where(d.path), "value for the {parameter} is not provided.");
  }
  const shown = (v: unknown): string => (info.secure ? "" : ` '${toArmString(v)}'`);
  if (value === null && field("nullable") === true) return { name: d.name, type, value, secure: info.secure };
  if (!info.check(value)) {
    throw invalidParameter(
      d.name,
      where(d.path),
      `provided value for the {parameter} is not valid. Expected a value of type '${info.name}', but received a value of type '${typeName(value)}'.`,
    );
  }
  const allowed = field("allowedValues");
  if (Array.isArray(allowed)) {
    const values = Array.isArray(value) ? value : [value];
    // One set of keys, not every value against every allowed one: 60,000 of each (a 700 KB request) took 13 s.
    const allowedKeys = new Set(allowed.map(equalityKey));
    const bad = values.filter((v) => !allowedKeys.has(equalityKey(v)));
    if (bad.length > 0) {
      throw invalidParameter(
        d.name,
        where(d.path),
        `provided value${shown(bad[0])} for the {parameter} is not valid. The value is not part of the allowed value(s): '${info.secure ? "(hidden)" : allowed.map((a) => toArmString(a)).join(",")}'.`,
      );
    }
  }
  checkRange(d, value, field, where, shown);
  return { name: d.name, type, value, secure: info.secure };
}

function checkRange(
  d: Definition,
  value: unknown,
  field: (k: string) => unknown,
  where: (path: string) => TemplateLocation,
  shown: (v: unknown) => string,
): void {
  const minValue = field("minValue");
  const maxValue = field("maxValue");
  if (typeof value === "number") {
    if (typeof minValue === "number" && value < minValue) {
      throw invalidParameter(
        d.name,
        where(d.path),
        `provided value${shown(value)} for the {parameter} is not valid. The value is less than the minimum value '${minValue}'.`,
      );
    }
    if (typeof maxValue === "number" && value > maxValue) {
      throw invalidParameter(
        d.name,
        where(d.path),
        `provided value${shown(value)} for the {parameter} is not valid. The value is greater than the maximum value '${maxValue}'.`,
      );
    }
  }
  const minLength = field("minLength");
  const maxLength = field("maxLength");
  if (typeof value === "string" || Array.isArray(value)) {
    if (typeof minLength === "number" && value.length < minLength) {
      throw invalidParameter(
        d.name,
        where(d.path),
        `provided value for the {parameter} is not valid. Its length ${value.length} is less than the minimum length '${minLength}'.`,
      );
    }
    if (typeof maxLength === "number" && value.length > maxLength) {
      throw invalidParameter(
        d.name,
        where(d.path),
        `provided value for the {parameter} is not valid. Its length ${value.length} is greater than the maximum length '${maxLength}'.`,
      );
    }
  }
}
