/**
 * A planned resource: its evaluated identity and dependencies, and `body(host)`, which evaluates everything the
 * provider receives once the resources it depends on are deployed. A `Microsoft.Resources/deployments` resource also
 * carries its `nestedDeployment`, which the executor plans and runs as a deployment of its own.
 */
import { deploymentEvaluationFailed, invalidPart, type TemplateLocation } from "./errors.ts";
import { DEPLOYMENTS_TYPE, type Instance } from "./resources.ts";
import { redact } from "./outputs.ts";
import { located, PathError, type TemplateScope } from "./template-scope.ts";
import { childPath } from "./template-text.ts";
import type { DeploymentContext, NestedDeployment, PlannedResource, TemplateHost, TemplatePlan } from "./types.ts";
import { getProperty, isObject, type JsonObject } from "./values.ts";

/** A resource declaration's template-only keys (lower case): never part of the body the provider receives. */
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

type NestedPlanner = (
  context: DeploymentContext,
  parameters: Record<string, unknown>,
  template: unknown,
  expressionScope: "inner" | "outer",
  path: string,
) => Promise<TemplatePlan>;

export function plannedResource(
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
