/**
 * Expands a template's resource declarations into instances: nested child resources are flattened (their type and
 * name prefixed with the parent's), `copy` loops give one instance per index, `condition` is evaluated, and each
 * instance gets its full name, type, api-version, resource id (at the deployment's scope, under `scope` for an
 * extension resource, or in the `resourceGroup`/`subscriptionId` a nested deployment names) and its evaluated
 * `dependsOn` entries. Nothing here reads deployed state: `reference()` is refused in these places, as in ARM.
 */
import { ExpressionError, type TemplateLocation, invalidPart } from "./errors.ts";
import type { EvalEnv, Loop, ResourceRef } from "./evaluator.ts";
import { idKey, isResourceGroupType, resourceGroupLevelId, subscriptionLevelId, typedSegments } from "./resource-ids.ts";
import { PathError, type TemplateScope } from "./template-scope.ts";
import { childPath } from "./template-text.ts";
import { getProperty, isObject, type JsonObject, toArmString } from "./values.ts";

export interface Declaration {
  path: string;
  raw: JsonObject;
  symbolicName?: string;
  parent?: Declaration;
}

export interface Instance {
  decl: Declaration;
  loops: Loop[];
  copy?: { name: string; index: number; mode: "serial" | "parallel"; batchSize: number };
  condition: boolean;
  existing: boolean;
  type: string;
  apiVersion: string;
  name: string;
  resourceId: string;
  scope?: string;
  /** Nested deployments: where they deploy. */
  target?: { subscriptionId: string; resourceGroup: string | undefined };
  dependsOn: string[];
}

export const DEPLOYMENTS_TYPE = "microsoft.resources/deployments";

/** Every declaration, parents before their children, in template order. */
export function collectDeclarations(resources: unknown, symbolic: boolean, where: (path: string) => TemplateLocation): Declaration[] {
  const out: Declaration[] = [];
  const visit = (list: unknown, path: string, parent: Declaration | undefined): void => {
    if (!Array.isArray(list)) throw invalidPart("template", where(path), "'resources' must be an array.");
    list.forEach((raw, i) => {
      const p = childPath(path, i);
      if (!isObject(raw)) throw invalidPart("template resource", where(p), "A resource must be an object.");
      const decl: Declaration = { path: p, raw, ...(parent ? { parent } : {}) };
      out.push(decl);
      const children = getProperty(raw, "resources");
      if (children.found) {
        if (getProperty(raw, "copy").found)
          throw invalidPart(
            "template resource",
            where(p),
            "A resource with a 'copy' loop cannot declare child resources; declare them at the top level.",
          );
        visit(children.value, childPath(p, "resources"), decl);
      }
    });
  };
  if (symbolic) {
    if (!isObject(resources))
      throw invalidPart("template", where("resources"), "With languageVersion '2.0' 'resources' must be an object of symbolic names.");
    for (const [name, raw] of Object.entries(resources)) {
      const p = childPath("resources", name);
      if (!isObject(raw)) throw invalidPart("template resource", where(p), "A resource must be an object.");
      out.push({ path: p, raw, symbolicName: name });
    }
  } else if (resources !== undefined) {
    visit(resources, "resources", undefined);
  }
  return out;
}

function field(raw: JsonObject, key: string): unknown {
  const p = getProperty(raw, key);
  return p.found ? p.value : undefined;
}

/** Evaluates one field at plan time and turns expression faults into the resource's InvalidTemplate. */
async function planValue(
  scope: TemplateScope,
  value: unknown,
  path: string,
  env: EvalEnv,
  label: string,
  where: (path: string) => TemplateLocation,
): Promise<unknown> {
  try {
    return await scope.evaluateValue(value, path, env, false);
  } catch (error) {
    if (error instanceof PathError) {
      // A variable's fault is the variable's, wherever it was first used.
      const variable = /^variables(?:\.([^.[]+)|\['([^']*)'\])/.exec(error.path);
      const part = variable ? `template variable '${variable[1] ?? variable[2]}'` : `template resource '${label}'`;
      throw invalidPart(part, where(error.path), error.message);
    }
    if (error instanceof ExpressionError) throw invalidPart(`template resource '${label}'`, where(path), error.message);
    throw error;
  }
}

export async function expandDeclarations(
  scope: TemplateScope,
  decls: Declaration[],
  where: (path: string) => TemplateLocation,
): Promise<Instance[]> {
  const out: Instance[] = [];
  const byDecl = new Map<Declaration, Instance>();
  for (const decl of decls) {
    const raw = decl.raw;
    const label = decl.symbolicName ?? toArmString(field(raw, "name") ?? "");
    const fail = (path: string, reason: string): never => {
      throw invalidPart(`template resource '${label}'`, where(path), reason);
    };
    const parent = decl.parent ? byDecl.get(decl.parent) : undefined;
    const copyRaw = field(raw, "copy");
    let copies: { name: string; count: number; mode: "serial" | "parallel"; batchSize: number } | undefined;
    const baseEnv = scope.envFor("plan", [], undefined);
    if (copyRaw !== undefined) {
      const copyPath = childPath(decl.path, "copy");
      if (!isObject(copyRaw)) return fail(copyPath, "'copy' must be an object with a 'name' and a 'count'.");
      const name = field(copyRaw, "name");
      if (typeof name !== "string" || name === "") return fail(copyPath, "'copy' must have a 'name'.");
      let count: number;
      try {
        count = await scope.evaluateCount(copyRaw, copyPath, baseEnv);
      } catch (error) {
        if (error instanceof PathError) return fail(error.path, error.message);
        throw error;
      }
      const mode = String(field(copyRaw, "mode") ?? "parallel").toLowerCase();
      if (mode !== "serial" && mode !== "parallel")
        return fail(childPath(copyPath, "mode"), `The copy mode '${mode}' is not valid: it must be 'serial' or 'parallel'.`);
      const batchRaw = field(copyRaw, "batchSize");
      const batchSize =
        batchRaw === undefined ? 1 : Number(await planValue(scope, batchRaw, childPath(copyPath, "batchSize"), baseEnv, label, where));
      if (!Number.isInteger(batchSize) || batchSize < 1)
        return fail(childPath(copyPath, "batchSize"), "The copy batchSize must be a positive integer.");
      copies = { name, count, mode, batchSize };
    }
    const indexes = copies ? Array.from({ length: copies.count }, (_, i) => i) : [undefined];
    for (const index of indexes) {
      const loops: Loop[] = copies && index !== undefined ? [{ name: copies.name, index }] : [];
      const env = scope.envFor("plan", loops, undefined);
      const conditionRaw = field(raw, "condition");
      const ownCondition =
        conditionRaw === undefined ? true : await planValue(scope, conditionRaw, childPath(decl.path, "condition"), env, label, where);
      if (typeof ownCondition !== "boolean") return fail(childPath(decl.path, "condition"), "The 'condition' must evaluate to a boolean.");
      // A child of a resource whose condition is false is not deployed either.
      const condition = ownCondition && (parent?.condition ?? true);
      const typeRaw = field(raw, "type");
      const apiVersion = field(raw, "apiVersion");
      if (typeof typeRaw !== "string" || typeRaw === "") return fail(decl.path, "The resource 'type' is missing.");
      const existing = field(raw, "existing") === true;
      if (typeof apiVersion !== "string" || apiVersion === "") {
        if (!existing) return fail(decl.path, "The resource 'apiVersion' is missing.");
      }
      const nameValue = await planValue(scope, field(raw, "name"), childPath(decl.path, "name"), env, label, where);
      if (typeof nameValue !== "string" || nameValue === "")
        return fail(childPath(decl.path, "name"), "The resource 'name' must be a non-empty string.");
      let type = typeRaw;
      let name = nameValue;
      if (parent) {
        if (!typeRaw.includes(".")) type = `${parent.type}/${typeRaw}`;
        if (name.split("/").length < type.split("/").length - 1) name = `${parent.name}/${nameValue}`;
      }
      const typeSegments = type.split("/").length;
      const nameSegments = name.split("/").length;
      if (typeSegments !== nameSegments + 1 && !(isResourceGroupType(type) && nameSegments === 1)) {
        return fail(
          decl.path,
          `The template resource '${name}' for type '${type}' has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name.`,
        );
      }
      const instance: Instance = {
        decl,
        loops,
        ...(copies && index !== undefined ? { copy: { name: copies.name, index, mode: copies.mode, batchSize: copies.batchSize } } : {}),
        condition,
        existing,
        type,
        apiVersion: typeof apiVersion === "string" ? apiVersion : "",
        name,
        resourceId: "",
        dependsOn: [],
      };
      try {
        await placeInstance(scope, instance, env, label, where);
      } catch (error) {
        if (error instanceof ExpressionError) return fail(decl.path, error.message);
        throw error;
      }
      const dependsRaw = field(raw, "dependsOn");
      if (dependsRaw !== undefined) {
        const evaluated = await planValue(scope, dependsRaw, childPath(decl.path, "dependsOn"), env, label, where);
        if (!Array.isArray(evaluated) || evaluated.some((d) => typeof d !== "string"))
          return fail(childPath(decl.path, "dependsOn"), "'dependsOn' must be an array of strings.");
        instance.dependsOn = evaluated as string[];
      }
      if (parent?.condition && !parent.existing) instance.dependsOn.push(parent.resourceId);
      out.push(instance);
      if (!copies) byDecl.set(decl, instance);
    }
  }
  return out;
}

/** Computes the instance's resource id (and scope, and nested deployment target). */
async function placeInstance(
  scope: TemplateScope,
  instance: Instance,
  env: EvalEnv,
  label: string,
  where: (path: string) => TemplateLocation,
): Promise<void> {
  const { context } = scope.deps;
  const raw = instance.decl.raw;
  const path = instance.decl.path;
  const names = instance.name.split("/");
  const scopeRaw = field(raw, "scope");
  if (scopeRaw !== undefined) {
    const scopeValue = await planValue(scope, scopeRaw, childPath(path, "scope"), env, label, where);
    if (typeof scopeValue !== "string" || scopeValue === "") throw new ExpressionError("The resource 'scope' must be a resource id.");
    const scopeId = absoluteScope(scope, scopeValue);
    instance.scope = scopeId;
    instance.resourceId = `${scopeId.replace(/\/+$/, "")}/${typedSegments(instance.type, names, "scope")}`;
    return;
  }
  const isDeployment = instance.type.toLowerCase() === DEPLOYMENTS_TYPE;
  const rgRaw = field(raw, "resourceGroup");
  const subRaw = field(raw, "subscriptionId");
  if ((rgRaw !== undefined || subRaw !== undefined) && !isDeployment && !instance.existing) {
    throw new ExpressionError("Only 'Microsoft.Resources/deployments' resources may name a 'resourceGroup' or 'subscriptionId'.");
  }
  const subscriptionId =
    subRaw === undefined
      ? context.subscriptionId
      : String(await planValue(scope, subRaw, childPath(path, "subscriptionId"), env, label, where));
  const resourceGroup =
    rgRaw === undefined
      ? subRaw === undefined
        ? context.resourceGroup?.name
        : undefined
      : String(await planValue(scope, rgRaw, childPath(path, "resourceGroup"), env, label, where));
  if (isDeployment) instance.target = { subscriptionId, resourceGroup };
  instance.resourceId = resourceGroup
    ? resourceGroupLevelId(subscriptionId, resourceGroup, instance.type, names, "resourceId")
    : subscriptionLevelId(subscriptionId, instance.type, names, "resourceId");
}

/** A `scope` value as a full id: ids stay, `Ns/type/name` is taken at the deployment's scope. */
function absoluteScope(scope: TemplateScope, value: string): string {
  if (value.startsWith("/")) return value;
  const { context } = scope.deps;
  const parts = value.split("/");
  const types = [parts[0]!];
  const names: string[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    types.push(parts[i]!);
    if (parts[i + 1] !== undefined) names.push(parts[i + 1]!);
  }
  const type = types.join("/");
  return context.resourceGroup
    ? resourceGroupLevelId(context.subscriptionId, context.resourceGroup.name, type, names, "scope")
    : subscriptionLevelId(context.subscriptionId, type, names, "scope");
}

/** The look-up `reference()`, `listKeys()` and `resourceInfo()` use: symbolic names (`sym`, `sym[2]`) or declared names. */
export function resourceResolver(instances: Instance[]): (nameOrSymbol: string) => ResourceRef | undefined {
  const bySymbol = new Map<string, Instance[]>();
  const byName = new Map<string, Instance[]>();
  const byId = new Map<string, Instance>();
  for (const inst of instances) {
    if (!inst.condition) continue;
    if (inst.decl.symbolicName) {
      const key = inst.decl.symbolicName.toLowerCase();
      const list = bySymbol.get(key);
      if (list) list.push(inst);
      else bySymbol.set(key, [inst]);
    }
    const nameKey = inst.name.toLowerCase();
    const named = byName.get(nameKey);
    if (named) named.push(inst);
    else byName.set(nameKey, [inst]);
    byId.set(idKey(inst.resourceId), inst);
  }
  const ref = (inst: Instance): ResourceRef => ({
    resourceId: inst.resourceId,
    apiVersion: inst.apiVersion,
    name: inst.name,
    type: inst.type,
    ...(inst.decl.symbolicName ? { symbolicName: inst.decl.symbolicName } : {}),
  });
  return (key) => {
    const lower = key.toLowerCase();
    const indexed = /^(.+)\[(\d+)\]$/.exec(lower);
    if (indexed) {
      const inst = bySymbol.get(indexed[1]!)?.find((i) => i.copy?.index === Number(indexed[2]));
      return inst ? ref(inst) : undefined;
    }
    const symbol = bySymbol.get(lower);
    if (symbol && symbol.length === 1) return ref(symbol[0]!);
    if (lower.startsWith("/")) {
      const inst = byId.get(idKey(key));
      return inst ? ref(inst) : undefined;
    }
    const named = byName.get(lower);
    return named && named.length === 1 ? ref(named[0]!) : undefined;
  };
}
