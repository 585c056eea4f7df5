/**
 * `planTemplate`: reads a template (object or JSON text), resolves its parameters, expands its resources and
 * orders them, and hands back resources whose bodies and outputs are evaluated later, against deployed state.
 * Named steps: readTemplate → checkShape → resolveParameters → defineVariables/functions → expandDeclarations →
 * resolveDependencies → orderInstances → plannedResource (bodies, nested deployments) → outputs.
 */
import { createHash } from "node:crypto";
import {
  deploymentEvaluationFailed,
  ExpressionError,
  invalidPart,
  invalidTemplate,
  type TemplateLocation,
  TemplateError,
} from "./errors.ts";
import { checkExpressions } from "./expression-check.ts";
import { calls } from "./expression-parser.ts";
import { orderInstances, resolveDependencies } from "./dependencies.ts";
import { givenValues, resolveParameters, typeInfo } from "./parameters.ts";
import { collectDeclarations, DEPLOYMENTS_TYPE, expandDeclarations, type Instance, resourceResolver } from "./resources.ts";
import { located, PathError, TemplateScope } from "./template-scope.ts";
import { childPath, parseTemplateText, type TextPosition } from "./template-text.ts";
import {
  DEFAULT_TEMPLATE_LIMITS,
  type DeploymentContext,
  type NestedDeployment,
  type PlannedOutput,
  type PlannedResource,
  type PlanOptions,
  type TemplateHost,
  type TemplateLimits,
  type TemplatePlan,
} from "./types.ts";
import { getProperty, isObject, type JsonObject, toArmString, typeName } from "./values.ts";

const SCHEMAS = {
  deploymentTemplate: /\/schemas\/\d{4}-\d{2}-\d{2}(-preview)?\/deploymentTemplate\.json#?$/i,
  subscriptionDeploymentTemplate: /\/schemas\/\d{4}-\d{2}-\d{2}(-preview)?\/subscriptionDeploymentTemplate\.json#?$/i,
};

/** Keys of a resource that are not part of the body sent to the resource provider. */
const NOT_BODY = new Set([
  "type",
  "apiversion",
  "name",
  "dependson",
  "copy",
  "condition",
  "scope",
  "comments",
  "resources",
  "existing",
  "resourcegroup",
  "subscriptionid",
  "import",
]);

interface Frame {
  positions: Map<string, TextPosition> | undefined;
  /** The JSON path of this template inside the outermost one (nested deployments), "" at the top. */
  prefix: string;
}

/** Plans a template. `parameters` takes ARM's `{ name: { value } }` form or plain values. */
export async function planTemplate(
  template: unknown,
  parameters: Record<string, unknown>,
  context: DeploymentContext,
  options: PlanOptions = {},
): Promise<TemplatePlan> {
  const limits: TemplateLimits = { ...DEFAULT_TEMPLATE_LIMITS, ...options.limits };
  const { value, positions } = readTemplate(template, limits);
  return planParsed(value, parameters, context, limits, { positions, prefix: "" }, undefined, 0);
}

function readTemplate(template: unknown, limits: TemplateLimits): { value: unknown; positions: Map<string, TextPosition> | undefined } {
  if (typeof template === "string") {
    if (Buffer.byteLength(template, "utf8") > limits.maxTemplateBytes) throw tooLarge(limits);
    const parsed = parseTemplateText(template, limits.maxJsonDepth);
    return { value: parsed.value, positions: parsed.positions };
  }
  let size = 0;
  try {
    size = Buffer.byteLength(JSON.stringify(template) ?? "", "utf8");
  } catch {
    throw invalidTemplate(undefined, "The template is not valid JSON.");
  }
  if (size > limits.maxTemplateBytes) throw tooLarge(limits);
  return { value: template, positions: undefined };
}

function tooLarge(limits: TemplateLimits): TemplateError {
  return invalidTemplate(
    undefined,
    `The template is larger than the limit of '${limits.maxTemplateBytes}' bytes. Please see https://aka.ms/arm-template-best-practices for usage details.`,
  );
}

function joinPath(prefix: string, path: string): string {
  if (prefix === "") return path;
  if (path === "") return prefix;
  return path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`;
}

async function planParsed(
  template: unknown,
  parameters: Record<string, unknown>,
  context: DeploymentContext,
  limits: TemplateLimits,
  frame: Frame,
  outer: TemplateScope | undefined,
  nesting: number,
): Promise<TemplatePlan> {
  const where = (path: string): TemplateLocation => {
    const full = joinPath(frame.prefix, path);
    const pos = frame.positions?.get(full);
    return pos ? { path: full, line: pos.line, column: pos.column } : { path: full };
  };
  if (!isObject(template)) throw invalidTemplate(where(""), "The template must be a JSON object.");
  if (nesting > limits.maxNestingDepth)
    throw invalidTemplate(where(""), `Nested deployments go deeper than the limit of '${limits.maxNestingDepth}' levels.`);
  const section = (key: string): unknown => {
    const p = getProperty(template, key);
    return p.found ? p.value : undefined;
  };
  const languageVersion = checkShape(template, section, context, where);
  const symbolic = languageVersion?.startsWith("2.") === true;
  const contentVersion = typeof section("contentVersion") === "string" ? (section("contentVersion") as string) : "1.0.0.0";
  const metadata = isObject(section("metadata")) ? (section("metadata") as JsonObject) : undefined;
  const templateHash = createHash("sha256").update(JSON.stringify(template)).digest("hex").slice(0, 20);
  const scope = new TemplateScope({
    context,
    limits,
    templateInfo: { contentVersion, ...(metadata ? { metadata } : {}), templateHash },
    ...(outer ? { outer } : {}),
  });

  const declaredParameters = objectSection(section("parameters"), "parameters", where);
  const declaredVariables = objectSection(section("variables"), "variables", where);
  const declaredOutputs = objectSection(section("outputs"), "outputs", where);
  checkCount("parameters", Object.keys(declaredParameters).length, limits.maxParameters, where);
  checkCount("variables", Object.keys(declaredVariables).length, limits.maxVariables, where);
  checkCount("outputs", Object.keys(declaredOutputs).length, limits.maxOutputs, where);
  if (outer && (Object.keys(declaredParameters).length > 0 || Object.keys(declaredVariables).length > 0)) {
    throw invalidPart(
      "template",
      where(""),
      "A nested template evaluated in the 'outer' scope cannot declare parameters or variables; set 'expressionEvaluationOptions.scope' to 'inner'.",
    );
  }

  checkExpressions(scope, template, where);
  await resolveParameters(
    scope,
    declaredParameters,
    givenValues(parameters),
    where,
    objectSection(section("definitions"), "definitions", where),
  );
  defineVariables(scope, declaredVariables, where);
  defineFunctions(scope, section("functions"), where);

  const decls = collectDeclarations(section("resources"), symbolic, where);
  const instances = await expandDeclarations(scope, decls, where);
  const deployedCount = instances.filter((i) => i.condition && !i.existing).length;
  checkCount("resources", deployedCount, limits.maxResources, where);
  checkDuplicates(instances, where);
  scope.resolveResource = resourceResolver(instances);
  const ordered = orderInstances(await resolveDependencies(scope, instances, where), where);

  const resources = ordered.map(({ instance, deps }) =>
    plannedResource(
      scope,
      instance,
      [...deps].map((d) => d.resourceId),
      where,
      (nestedContext, nestedParameters, template, expressionScope, path) =>
        planParsed(
          template,
          nestedParameters,
          nestedContext,
          limits,
          { positions: frame.positions, prefix: joinPath(frame.prefix, path) },
          expressionScope === "outer" ? scope : undefined,
          nesting + 1,
        ),
    ),
  );
  checkOutputsHideSecrets(scope, declaredOutputs, declaredVariables, where);

  return {
    resources,
    parameters: Object.fromEntries([...scope.parameters.values()].map((p) => [p.name, { type: p.type, value: p.value, secure: p.secure }])),
    outputs: (host) => evaluateOutputs(scope, declaredOutputs, host, where),
    template: { contentVersion, ...(languageVersion ? { languageVersion } : {}), ...(metadata ? { metadata } : {}), templateHash },
  };
}

function checkShape(
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

function objectSection(value: unknown, name: string, where: (path: string) => TemplateLocation): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidPart("template", where(name), `'${name}' must be an object.`);
  return value;
}

function checkCount(what: string, count: number, max: number, where: (path: string) => TemplateLocation): void {
  if (count > max)
    throw invalidTemplate(
      where(what),
      `The number of template ${what} '${count}' exceeds the limit of '${max}'. Please see https://aka.ms/arm-template-best-practices for usage details.`,
    );
}

function defineVariables(scope: TemplateScope, declared: JsonObject, where: (path: string) => TemplateLocation): void {
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

function defineFunctions(scope: TemplateScope, declared: unknown, where: (path: string) => TemplateLocation): void {
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

function checkDuplicates(instances: Instance[], where: (path: string) => TemplateLocation): void {
  const seen = new Map<string, Instance>();
  for (const inst of instances) {
    if (!inst.condition || inst.existing) continue;
    const key = inst.resourceId.toLowerCase();
    if (seen.has(key)) {
      throw invalidPart(
        `template resource '${inst.name}'`,
        where(inst.decl.path),
        `The resource '${inst.resourceId}' is defined multiple times in a template. Please see https://aka.ms/arm-syntax-resources for usage details.`,
      );
    }
    seen.set(key, inst);
  }
}

type NestedPlanner = (
  context: DeploymentContext,
  parameters: Record<string, unknown>,
  template: unknown,
  expressionScope: "inner" | "outer",
  path: string,
) => Promise<TemplatePlan>;

function plannedResource(
  scope: TemplateScope,
  inst: Instance,
  dependsOn: string[],
  where: (path: string) => TemplateLocation,
  planNested: NestedPlanner,
): PlannedResource {
  const isNested = inst.type.toLowerCase() === DEPLOYMENTS_TYPE;
  const body = async (host: TemplateHost): Promise<Record<string, unknown>> => {
    const env = scope.envFor("body", inst.loops, host);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inst.decl.raw)) {
      const k = key.toLowerCase();
      if (NOT_BODY.has(k)) continue;
      const path = childPath(inst.decl.path, key);
      try {
        if (k === "properties" && isNested && isObject(value)) {
          const props: JsonObject = {};
          for (const [pk, pv] of Object.entries(value)) {
            props[pk] = pk.toLowerCase() === "template" ? pv : await scope.evaluateValue(pv, childPath(path, pk), env, false);
          }
          out[key] = props;
        } else {
          out[key] = await scope.evaluateValue(value, path, env, k === "properties");
        }
      } catch (error) {
        const e = located(path, error);
        if (e instanceof PathError)
          throw deploymentEvaluationFailed(`resource '${inst.resourceId}'`, where(e.path), redact(scope, e.message));
        throw e;
      }
    }
    return out;
  };
  const planned: PlannedResource = {
    type: inst.type,
    apiVersion: inst.apiVersion,
    name: inst.name,
    resourceId: inst.resourceId,
    dependsOn,
    path: inst.decl.path,
    body,
    ...(inst.decl.symbolicName ? { symbolicName: inst.decl.symbolicName } : {}),
    ...(inst.scope ? { scope: inst.scope } : {}),
    ...(inst.copy ? { copy: { name: inst.copy.name, index: inst.copy.index } } : {}),
  };
  if (isNested) planned.nestedDeployment = nestedDeployment(inst, body, where, planNested);
  return planned;
}

function nestedDeployment(
  inst: Instance,
  body: (host: TemplateHost) => Promise<Record<string, unknown>>,
  where: (path: string) => TemplateLocation,
  planNested: NestedPlanner,
): NestedDeployment {
  const props = getProperty(inst.decl.raw, "properties");
  const properties = props.found && isObject(props.value) ? props.value : {};
  const propsPath = childPath(inst.decl.path, "properties");
  if (getProperty(properties, "templateLink").found) {
    throw invalidPart(
      `template resource '${inst.name}'`,
      where(childPath(propsPath, "templateLink")),
      "Linked templates ('templateLink') are not supported by Keyless; embed the template in 'properties.template'.",
    );
  }
  const template = getProperty(properties, "template");
  if (!template.found || !isObject(template.value))
    throw invalidPart(
      `template resource '${inst.name}'`,
      where(propsPath),
      "A nested deployment needs its template in 'properties.template'.",
    );
  const options = getProperty(properties, "expressionEvaluationOptions");
  const scopeValue = options.found && isObject(options.value) ? getProperty(options.value, "scope") : { found: false as const };
  const expressionScope =
    scopeValue.found && typeof scopeValue.value === "string" && scopeValue.value.toLowerCase() === "inner" ? "inner" : "outer";
  const modeValue = getProperty(properties, "mode");
  const mode =
    modeValue.found && typeof modeValue.value === "string" && modeValue.value.toLowerCase() === "complete" ? "Complete" : "Incremental";
  return {
    name: inst.name,
    resourceGroup: inst.target!.resourceGroup,
    subscriptionId: inst.target!.subscriptionId,
    expressionScope,
    mode,
    plan: async (context, host) => {
      const evaluated = await body(host);
      const evaluatedProps = getProperty(evaluated, "properties");
      const given =
        evaluatedProps.found && isObject(evaluatedProps.value)
          ? getProperty(evaluatedProps.value, "parameters")
          : { found: false as const };
      const parameters = expressionScope === "inner" && given.found && isObject(given.value) ? given.value : {};
      return planNested({ ...context, mode }, parameters, template.value, expressionScope, childPath(propsPath, "template"));
    },
  };
}

/** Replaces the value of every secure parameter (4 characters or more) that a message would echo. */
export function redact(scope: TemplateScope, message: string): string {
  let out = message;
  const secrets: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === "string" && v.length >= 4) secrets.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (isObject(v)) Object.values(v).forEach(collect);
  };
  for (const p of scope.parameters.values()) if (p.secure) collect(p.value);
  for (const s of secrets.sort((a, b) => b.length - a.length)) out = out.replaceAll(s, "***");
  return out;
}

/** An output that is not secure may not return a secure parameter (directly or through variables). */
function checkOutputsHideSecrets(
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

async function evaluateOutputs(
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
