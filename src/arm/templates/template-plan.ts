/**
 * `planTemplate`: reads a template (object or JSON text), resolves its parameters, expands its resources and
 * orders them, and hands back resources whose bodies and outputs are evaluated later, against deployed state.
 * Named steps: readTemplate → checkShape → checkExpressions → resolveParameters → defineVariables/functions →
 * expandDeclarations → resolveDependencies → orderInstances → plannedResource → outputs.
 */
import { createHash } from "node:crypto";
import { invalidPart, invalidTemplate, type TemplateError, type TemplateLocation } from "./errors.ts";
import { orderInstances, resolveDependencies } from "./dependencies.ts";
import { type EvaluationBudget, evaluationBudget } from "./evaluator.ts";
import { checkExpressions } from "./expression-check.ts";
import { checkOutputsHideSecrets, evaluateOutputs } from "./outputs.ts";
import { givenValues, resolveParameters } from "./parameters.ts";
import { plannedResource } from "./planned-resource.ts";
import { collectDeclarations, expandDeclarations, type Instance, resourceResolver } from "./resources.ts";
import { TemplateScope } from "./template-scope.ts";
import { checkCount, checkShape, defineFunctions, defineVariables, objectSection } from "./template-sections.ts";
import { parseTemplateText, type TextPosition } from "./template-text.ts";
import { DEFAULT_TEMPLATE_LIMITS, type DeploymentContext, type PlanOptions, type TemplateLimits, type TemplatePlan } from "./types.ts";
import { getProperty, isObject, type JsonObject } from "./values.ts";

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
  return planParsed(value, parameters, context, limits, evaluationBudget(limits), { positions, prefix: "" }, undefined, 0);
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
  budget: EvaluationBudget,
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
    budget,
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
  const ordered = orderInstances(await resolveDependencies(scope, instances, decls, where), where);

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
          budget,
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
