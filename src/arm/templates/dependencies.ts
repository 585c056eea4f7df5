/**
 * Dependencies between the instances of a template: `dependsOn` entries (a resource id, `Ns/type/name`, a name, a
 * copy loop's name or a symbolic name), the batches of a serial copy loop, and the implicit ones ARM adds for a
 * `reference()`/`list*()` of a resource of the same template. Entries naming a resource whose condition is false or
 * that is `existing` are dropped, as in ARM. `orderInstances` sorts topologically (template order among equals) and
 * refuses a cycle naming its members.
 */
import { type TemplateLocation, invalidPart, templateFault } from "./errors.ts";
import { calls, type Expr } from "./expression-parser.ts";
import { evaluate } from "./evaluator.ts";
import { idKey } from "./resource-ids.ts";
import type { Declaration, Instance } from "./resources.ts";
import type { TemplateScope } from "./template-scope.ts";
import { getProperty, isObject } from "./values.ts";

interface Resolved {
  instance: Instance;
  deps: Set<Instance>;
}

function indexInstances(instances: Instance[]) {
  const byId = new Map<string, Instance>();
  const byLoop = new Map<string, Instance[]>();
  const bySymbol = new Map<string, Instance[]>();
  const byName = new Map<string, Instance[]>();
  const byTypeName = new Map<string, Instance[]>();
  const add = (map: Map<string, Instance[]>, key: string, inst: Instance) => {
    const list = map.get(key);
    if (list) list.push(inst);
    else map.set(key, [inst]);
  };
  for (const inst of instances) {
    byId.set(idKey(inst.resourceId), inst);
    if (inst.copy) add(byLoop, inst.copy.name.toLowerCase(), inst);
    if (inst.decl.symbolicName) add(bySymbol, inst.decl.symbolicName.toLowerCase(), inst);
    add(byName, inst.name.toLowerCase(), inst);
    add(byTypeName, `${inst.type}/${inst.name}`.toLowerCase(), inst);
  }
  return { byId, byLoop, bySymbol, byName, byTypeName };
}

/** The instances one `dependsOn` entry names (possibly none that are deployed), or undefined when it names nothing. */
function lookUp(index: ReturnType<typeof indexInstances>, entry: string): Instance[] | undefined {
  const lower = entry.toLowerCase();
  if (entry.startsWith("/")) {
    const inst = index.byId.get(idKey(entry));
    return inst ? [inst] : undefined;
  }
  return index.bySymbol.get(lower) ?? index.byLoop.get(lower) ?? index.byTypeName.get(typedName(lower)) ?? index.byName.get(lower);
}

/** `Ns/t1/n1/t2/n2` → `ns/t1/t2/n1/n2`, the form `byTypeName` keys on. */
function typedName(entry: string): string {
  const parts = entry.split("/");
  if (parts.length < 3 || !parts[0]!.includes(".") || parts.length % 2 === 0) return entry;
  const types = [parts[0]];
  const names: string[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    types.push(parts[i]!);
    names.push(parts[i + 1]!);
  }
  return `${types.join("/")}/${names.join("/")}`;
}

export async function resolveDependencies(
  scope: TemplateScope,
  instances: Instance[],
  decls: readonly Declaration[],
  where: (path: string) => TemplateLocation,
): Promise<Resolved[]> {
  const index = indexInstances(instances);
  // Copy loops and symbolic names with no instance (a count of zero) are known, and name nothing to wait for.
  const emptyNames = new Set<string>();
  for (const decl of decls) {
    if (decl.symbolicName) emptyNames.add(decl.symbolicName.toLowerCase());
    const copy = getProperty(decl.raw, "copy");
    const name = copy.found && isObject(copy.value) ? getProperty(copy.value, "name") : { found: false as const };
    if (name.found && typeof name.value === "string") emptyNames.add(name.value.toLowerCase());
  }
  const deployed = instances.filter((i) => i.condition && !i.existing);
  const out: Resolved[] = [];
  for (const inst of deployed) {
    const deps = new Set<Instance>();
    const add = (found: Instance[]) => {
      for (const d of found) if (d !== inst && d.condition && !d.existing) deps.add(d);
    };
    for (const entry of inst.dependsOn) {
      const found = lookUp(index, entry) ?? (emptyNames.has(entry.toLowerCase()) ? [] : undefined);
      if (!found) {
        throw invalidPart(
          `template resource '${inst.name}'`,
          where(`${inst.decl.path}.dependsOn`),
          `The resource '${entry}' is not defined in the template. Please see https://aka.ms/arm-syntax for usage details.`,
        );
      }
      add(found);
    }
    if (inst.copy?.mode === "serial") {
      const batch = Math.floor(inst.copy.index / inst.copy.batchSize);
      if (batch > 0) {
        add(
          index.byLoop
            .get(inst.copy.name.toLowerCase())!
            .filter((o) => o.decl === inst.decl && Math.floor(o.copy!.index / inst.copy!.batchSize) === batch - 1),
        );
      }
    }
    if (inst.scope) {
      const target = index.byId.get(idKey(inst.scope));
      if (target) add([target]);
    }
    for (const id of await implicitTargets(scope, inst)) {
      const target = index.byId.get(idKey(id));
      if (target) add([target]);
    }
    out.push({ instance: inst, deps });
  }
  return out;
}

/** Resource ids that `reference()`/`list*()` calls in the resource's body read, where the argument can be known now. */
async function implicitTargets(scope: TemplateScope, inst: Instance): Promise<string[]> {
  const ids: string[] = [];
  const env = scope.envFor("plan", inst.loops, undefined);
  const visit = async (value: unknown): Promise<void> => {
    if (typeof value === "string") {
      let parsed: ReturnType<TemplateScope["parse"]>;
      try {
        parsed = scope.parse(value);
      } catch {
        return; // the body evaluation reports it
      }
      if (parsed.kind !== "expression") return;
      for (const call of calls(parsed.expr)) {
        const name = call.name.toLowerCase();
        if ((name === "reference" || name.startsWith("list")) && call.args.length > 0) {
          const id = await staticTarget(scope, call.args[0]!, env);
          if (id) ids.push(id);
        }
      }
    } else if (Array.isArray(value)) {
      for (const v of value) await visit(v);
    } else if (isObject(value)) {
      for (const v of Object.values(value)) await visit(v);
    }
  };
  for (const [key, value] of Object.entries(inst.decl.raw)) {
    const k = key.toLowerCase();
    if (PLAN_TIME_KEYS.has(k)) continue;
    if (k === "properties" && inst.target && isObject(value)) {
      // A nested deployment's own template is planned (and its references found) when it runs.
      for (const [pk, pv] of Object.entries(value)) if (pk.toLowerCase() !== "template") await visit(pv);
      continue;
    }
    await visit(value);
  }
  return ids;
}

const PLAN_TIME_KEYS = new Set([
  "type",
  "apiversion",
  "name",
  "dependson",
  "copy",
  "condition",
  "scope",
  "resources",
  "existing",
  "comments",
]);

async function staticTarget(scope: TemplateScope, arg: Expr, env: ReturnType<TemplateScope["envFor"]>): Promise<string | undefined> {
  try {
    const value = await evaluate(arg, env);
    if (typeof value !== "string") return undefined;
    return scope.resolveResource(value)?.resourceId ?? (value.startsWith("/") ? value : undefined);
  } catch {
    return undefined; // depends on a value only known while deploying: no implicit dependency
  }
}

/**
 * Kahn's algorithm: among the resources whose dependencies are all placed, the one declared first goes next.
 * Linear in resources and edges (plus a sorted insert among the ready ones); a cycle is refused naming it.
 */
export function orderInstances(resolved: Resolved[], where: (path: string) => TemplateLocation): Resolved[] {
  const position = new Map(resolved.map((r, i) => [r.instance, i] as const));
  const waiting = new Map<Instance, number>();
  const dependents = new Map<Instance, Instance[]>();
  for (const r of resolved) {
    const deps = [...r.deps].filter((d) => position.has(d));
    waiting.set(r.instance, deps.length);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(r.instance);
      else dependents.set(d, [r.instance]);
    }
  }
  const ready: number[] = resolved.flatMap((r, i) => (waiting.get(r.instance) === 0 ? [i] : []));
  const out: Resolved[] = [];
  while (ready.length > 0) {
    const next = resolved[ready.shift()!]!;
    out.push(next);
    for (const dependent of dependents.get(next.instance) ?? []) {
      const left = waiting.get(dependent)! - 1;
      waiting.set(dependent, left);
      if (left === 0) {
        const index = position.get(dependent)!;
        let at = ready.findIndex((i) => i > index);
        if (at < 0) at = ready.length;
        ready.splice(at, 0, index);
      }
    }
  }
  if (out.length < resolved.length) {
    const remaining = new Map(resolved.filter((r) => waiting.get(r.instance)! > 0).map((r) => [r.instance, r] as const));
    throw cycleError(remaining, where);
  }
  return out;
}

function cycleError(remaining: Map<Instance, Resolved>, where: (path: string) => TemplateLocation): Error {
  // Walk dependencies from any remaining instance until one repeats: that loop is a cycle.
  const start = remaining.keys().next().value as Instance;
  const seen = new Map<Instance, number>();
  const path: Instance[] = [];
  let at: Instance = start;
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    at = [...remaining.get(at)!.deps].find((d) => remaining.has(d))!;
  }
  const cycle = [...path.slice(seen.get(at)!), at].map((i) => `'${i.resourceId}'`);
  return templateFault(where(at.decl.path), `Circular dependency detected on resource: ${cycle.join(" -> ")}`);
}
