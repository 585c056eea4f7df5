/**
 * Outputs: evaluated after the resources are deployed (with `condition` and `copy`, each value checked against its
 * type; secure outputs keep only their type), the up-front refusal of an output that would return a secure
 * parameter, and the redaction of secure values from messages.
 */
import { deploymentEvaluationFailed, ExpressionError, invalidPart, type TemplateLocation, TemplateError } from "./errors.ts";
import { calls } from "./expression-parser.ts";
import { typeInfo } from "./parameters.ts";
import { located, PathError, type TemplateScope } from "./template-scope.ts";
import { childPath } from "./template-text.ts";
import type { PlannedOutput, TemplateHost } from "./types.ts";
import { getProperty, isObject, type JsonObject, toArmString, typeName } from "./values.ts";

export function redact(scope: TemplateScope, message: string): string {
  return redactSecrets(message, secureValues(scope.parameters.values()));
}

/**
 * The strings a text must not show: every string of 4 characters or more in a secure parameter's value (a
 * secureObject's included), longest first so that a secret containing another is replaced whole.
 */
export function secureValues(parameters: Iterable<{ secure: boolean; value: unknown }>): string[] {
  const secrets: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === "string" && v.length >= 4) secrets.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (isObject(v)) Object.values(v).forEach(collect);
  };
  for (const p of parameters) if (p.secure) collect(p.value);
  return secrets.sort((a, b) => b.length - a.length);
}

/** `text` with each of `secrets` (as `secureValues` orders them) shown as `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.replaceAll(s, "***");
  return out;
}

/** An output that is not secure may not return a secure parameter (directly or through variables). */
export function checkOutputsHideSecrets(
  scope: TemplateScope,
  outputs: JsonObject,
  variables: JsonObject,
  where: (path: string) => TemplateLocation,
): void {
  const secure = new Set([...scope.parameters.values()].filter((p) => p.secure).map((p) => p.name.toLowerCase()));
  if (secure.size === 0) return;
  const varRaw = new Map(Object.entries(variables).map(([k, v]) => [k.toLowerCase(), v] as const));
  const mentions = (value: unknown, seen: Set<string>): string | undefined => {
    if (typeof value === "string") {
      let parsed: ReturnType<TemplateScope["parse"]>;
      try {
        parsed = scope.parse(value);
      } catch {
        return undefined;
      }
      if (parsed.kind !== "expression") return undefined;
      for (const call of calls(parsed.expr)) {
        const arg = call.args[0];
        if (arg?.kind !== "string") continue;
        const name = call.name.toLowerCase();
        if (name === "parameters" && secure.has(arg.value.toLowerCase())) return arg.value;
        if (name === "variables" && !seen.has(arg.value.toLowerCase())) {
          seen.add(arg.value.toLowerCase());
          const found = mentions(varRaw.get(arg.value.toLowerCase()), seen);
          if (found) return found;
        }
      }
      return undefined;
    }
    if (Array.isArray(value)) {
      for (const v of value) {
        const found = mentions(v, seen);
        if (found) return found;
      }
    } else if (isObject(value)) {
      for (const v of Object.values(value)) {
        const found = mentions(v, seen);
        if (found) return found;
      }
    }
    return undefined;
  };
  for (const [name, def] of Object.entries(outputs)) {
    if (!isObject(def)) continue;
    const type = getProperty(def, "type");
    if (typeInfo(type.found ? type.value : undefined)?.secure) continue;
    const found = mentions(def, new Set());
    if (found) {
      throw invalidPart(
        `template output '${name}'`,
        where(childPath("outputs", name)),
        `The output would return the secure parameter '${found}'. Declare the output as 'secureString' or 'secureObject', or do not return the parameter.`,
      );
    }
  }
}

export async function evaluateOutputs(
  scope: TemplateScope,
  declared: JsonObject,
  host: TemplateHost,
  where: (path: string) => TemplateLocation,
): Promise<Record<string, PlannedOutput>> {
  const out: Record<string, PlannedOutput> = {};
  for (const [name, def] of Object.entries(declared)) {
    const path = childPath("outputs", name);
    const fail = (p: string, reason: string): never => {
      throw deploymentEvaluationFailed(`the template output '${name}'`, where(p), redact(scope, reason));
    };
    if (!isObject(def)) return fail(path, "An output must be an object with a 'type' and a 'value'.");
    const field = (k: string): unknown => {
      const p = getProperty(def, k);
      return p.found ? p.value : undefined;
    };
    const info = typeInfo(field("type"));
    if (!info) return fail(childPath(path, "type"), `The output type '${toArmString(field("type"))}' is not valid.`);
    const env = scope.envFor("output", [], host);
    try {
      if (field("condition") !== undefined) {
        const condition = await scope.evaluateValue(field("condition"), childPath(path, "condition"), env, false);
        if (condition !== true) continue;
      }
      const copy = field("copy");
      let value: unknown;
      if (copy !== undefined) {
        if (!isObject(copy) || !getProperty(copy, "input").found)
          return fail(childPath(path, "copy"), "An output 'copy' needs a 'count' and an 'input'.");
        value = await scope.evaluateCopyArray({ name: `output-${name}`, ...copy }, childPath(path, "copy"), env);
      } else {
        value = await scope.evaluateValue(field("value"), childPath(path, "value"), env, true);
      }
      if (!info.check(value)) {
        return fail(
          path,
          `The template output '${name}' is not valid: expected a value of type '${info.name}', but the value is of type '${typeName(value)}'.`,
        );
      }
      out[name] = info.secure ? { type: info.name } : { type: info.name, value };
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      const e = located(path, error);
      if (e instanceof PathError) return fail(e.path, e.message);
      if (e instanceof ExpressionError) return fail(path, e.message);
      throw e;
    }
  }
  return out;
}
