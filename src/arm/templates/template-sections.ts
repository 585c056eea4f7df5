/**
 * The top-level sections of a template: the shape checks (schema, languageVersion, known sections, counts) and the
 * definitions of variables (with `copy`) and user-defined functions.
 */
import { invalidPart, invalidTemplate, type TemplateLocation } from "./errors.ts";
import type { TemplateScope } from "./template-scope.ts";
import { childPath } from "./template-text.ts";
import type { DeploymentContext } from "./types.ts";
import { getProperty, isObject, type JsonObject, toArmString } from "./values.ts";

const SCHEMAS = {
  deploymentTemplate: /\/schemas\/\d{4}-\d{2}-\d{2}(-preview)?\/deploymentTemplate\.json#?$/i,
  subscriptionDeploymentTemplate: /\/schemas\/\d{4}-\d{2}-\d{2}(-preview)?\/subscriptionDeploymentTemplate\.json#?$/i,
};

/** Keys of a resource that are not part of the body sent to the resource provider. */
export function checkShape(
  template: JsonObject,
  section: (key: string) => unknown,
  context: DeploymentContext,
  where: (path: string) => TemplateLocation,
): string | undefined {
  const schema = section("$schema");
  if (schema !== undefined) {
    if (typeof schema !== "string") throw invalidPart("template", where("$schema"), "'$schema' must be a string.");
    const sub = SCHEMAS.subscriptionDeploymentTemplate.test(schema);
    if (!sub && !SCHEMAS.deploymentTemplate.test(schema)) {
      throw invalidPart(
        "template",
        where("$schema"),
        `The template schema '${schema}' is not supported. Supported schemas: '.../deploymentTemplate.json#' and '.../subscriptionDeploymentTemplate.json#'.`,
      );
    }
    if (sub && context.scope === "resourceGroup") {
      throw invalidPart(
        "template",
        where("$schema"),
        `The template schema '${schema}' is for subscription-scope deployments; deploy it with 'az deployment sub create'.`,
      );
    }
  }
  const languageVersion = section("languageVersion");
  if (
    languageVersion !== undefined &&
    !(typeof languageVersion === "string" && /^(1\.0|2\.0|1\.\d+-experimental)$/.test(languageVersion))
  ) {
    throw invalidPart(
      "template",
      where("languageVersion"),
      `The template language version '${toArmString(languageVersion)}' is not supported. Supported versions: '1.0', '2.0'.`,
    );
  }
  for (const key of Object.keys(template)) {
    if (!KNOWN_SECTIONS.has(key.toLowerCase())) throw invalidPart("template", where(key), `The template property '${key}' is not allowed.`);
  }
  return languageVersion as string | undefined;
}

const KNOWN_SECTIONS = new Set([
  "$schema",
  "contentversion",
  "languageversion",
  "apiprofile",
  "parameters",
  "variables",
  "functions",
  "resources",
  "outputs",
  "metadata",
  "definitions",
  "imports",
]);

export function objectSection(value: unknown, name: string, where: (path: string) => TemplateLocation): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidPart("template", where(name), `'${name}' must be an object.`);
  return value;
}

export function checkCount(what: string, count: number, max: number, where: (path: string) => TemplateLocation): void {
  if (count > max)
    throw invalidTemplate(
      where(what),
      `The number of template ${what} '${count}' exceeds the limit of '${max}'. Please see https://aka.ms/arm-template-best-practices for usage details.`,
    );
}

export function defineVariables(scope: TemplateScope, declared: JsonObject, where: (path: string) => TemplateLocation): void {
  for (const [name, raw] of Object.entries(declared)) {
    if (name.toLowerCase() === "copy") {
      if (!Array.isArray(raw))
        throw invalidPart(
          "template variable 'copy'",
          where("variables.copy"),
          "'copy' in variables must be an array of { name, count, input }.",
        );
      raw.forEach((spec, i) => {
        const path = childPath(childPath("variables", "copy"), i);
        const specName = isObject(spec) ? getProperty(spec, "name") : { found: false as const };
        if (!isObject(spec) || !specName.found || typeof specName.value !== "string")
          throw invalidPart("template variable 'copy'", where(path), "A variable copy loop needs a 'name', a 'count' and an 'input'.");
        scope.defineVariable(specName.value, undefined, path, spec);
      });
      continue;
    }
    scope.defineVariable(name, raw, childPath("variables", name));
  }
}

export function defineFunctions(scope: TemplateScope, declared: unknown, where: (path: string) => TemplateLocation): void {
  if (declared === undefined) return;
  if (!Array.isArray(declared)) throw invalidPart("template", where("functions"), "'functions' must be an array of namespaces.");
  declared.forEach((ns, i) => {
    const path = childPath("functions", i);
    const namespace = isObject(ns) ? getProperty(ns, "namespace") : { found: false as const };
    const members = isObject(ns) ? getProperty(ns, "members") : { found: false as const };
    if (!namespace.found || typeof namespace.value !== "string" || !members.found || !isObject(members.value)) {
      throw invalidPart("template", where(path), "A function namespace needs a 'namespace' and 'members'.");
    }
    for (const [name, def] of Object.entries(members.value)) {
      const defPath = childPath(childPath(path, "members"), name);
      const params = isObject(def) ? getProperty(def, "parameters") : { found: false as const };
      const output = isObject(def) ? getProperty(def, "output") : { found: false as const };
      if (!output.found || !isObject(output.value) || !getProperty(output.value, "value").found) {
        throw invalidPart(
          `template function '${namespace.value}.${name}'`,
          where(defPath),
          "A user-defined function needs an 'output' with a 'value'.",
        );
      }
      const paramList =
        params.found && Array.isArray(params.value)
          ? params.value.filter(isObject).map((p) => ({ name: toArmString(fieldOf(p, "name")) }))
          : [];
      scope.defineFunction(`${namespace.value}.${name}`, {
        name: `${namespace.value}.${name}`,
        params: paramList,
        output: { value: (getProperty(output.value, "value") as { value: unknown }).value },
        path: defPath,
      });
    }
  });
}

function fieldOf(obj: JsonObject, key: string): unknown {
  const p = getProperty(obj, key);
  return p.found ? p.value : undefined;
}
