/**
 * The evaluation scope of one template: its parameters, variables (evaluated once, on first use, with cycles
 * refused), user-defined functions and the resources functions may name. `envFor` builds the `EvalEnv` for one
 * site; `evaluateValue` walks a JSON value, evaluating every expression string and expanding `copy` arrays.
 * Expression faults come out as `PathError`s holding the JSON path, which the planner turns into `TemplateError`s.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { ExpressionError } from "./errors.ts";
import { type EvalEnv, type EvalSite, type EvaluationBudget, evaluate, type Loop, type ResourceRef } from "./evaluator.ts";
import { parseTemplateString, type TemplateString } from "./expression-parser.ts";
import { FUNCTIONS } from "./functions.ts";
import { childPath } from "./template-text.ts";
import type { DeploymentContext, TemplateHost, TemplateLimits } from "./types.ts";
import { getProperty, isObject, type JsonObject, setProperty, typeName } from "./values.ts";

/** An expression fault at a JSON path of the template. */
export class PathError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

export interface ResolvedParameter {
  name: string;
  type: string;
  value: unknown;
  secure: boolean;
}

interface UserFunction {
  name: string;
  params: { name: string; type?: string }[];
  output: { type?: string; value: unknown };
  path: string;
}

interface ScopeDeps {
  context: DeploymentContext;
  limits: TemplateLimits;
  templateInfo: EvalEnv["templateInfo"];
  /** For `outer` nested templates: the parent's parameters and variables. */
  outer?: TemplateScope;
  /** Shared by the whole deployment, nested templates included. */
  budget: EvaluationBudget;
}

export class TemplateScope {
  readonly deps: ScopeDeps;
  readonly parameters = new Map<string, ResolvedParameter>();
  /** Set while parameters are resolved: evaluates a parameter's default on first use. */
  parameterResolver: ((name: string) => Promise<ResolvedParameter | undefined>) | undefined;
  private readonly variableDefs = new Map<string, { name: string; raw: unknown; path: string; copy?: JsonObject }>();
  private readonly variableValues = new Map<string, unknown>();
  private readonly evaluating = new Set<string>();
  private readonly functions = new Map<string, UserFunction>();
  private readonly parsed = new Map<string, TemplateString>();
  resolveResource: (nameOrSymbol: string) => ResourceRef | undefined = () => undefined;

  constructor(deps: ScopeDeps) {
    this.deps = deps;
  }

  defineVariable(name: string, raw: unknown, path: string, copy?: JsonObject): void {
    this.variableDefs.set(name.toLowerCase(), { name, raw, path, ...(copy ? { copy } : {}) });
  }

  defineFunction(name: string, def: UserFunction): void {
    this.functions.set(name.toLowerCase(), def);
  }

  parse(text: string): TemplateString {
    let parsed = this.parsed.get(text);
    if (!parsed) {
      parsed = parseTemplateString(text, this.deps.limits.maxExpressionDepth, this.deps.limits.maxExpressionLength);
      if (this.parsed.size < 10_000) this.parsed.set(text, parsed);
    }
    return parsed;
  }

  async parameter(name: string): Promise<unknown> {
    if (this.deps.outer) return this.deps.outer.parameter(name);
    const found = this.parameters.get(name.toLowerCase()) ?? (await this.parameterResolver?.(name));
    if (!found)
      throw new ExpressionError(
        `The template parameter '${name}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details.`,
      );
    return found.value;
  }

  async variable(name: string): Promise<unknown> {
    if (this.deps.outer) return this.deps.outer.variable(name);
    const key = name.toLowerCase();
    if (this.variableValues.has(key)) return this.variableValues.get(key);
    const def = this.variableDefs.get(key);
    if (!def)
      throw new ExpressionError(
        `The template variable '${name}' is not found. Please see https://aka.ms/arm-syntax-variables for usage details.`,
      );
    if (this.evaluating.has(key))
      throw new ExpressionError(`The template variable '${def.name}' refers to itself, through a cycle of variables.`);
    this.evaluating.add(key);
    try {
      const value = def.copy
        ? await this.evaluateCopyArray(def.copy, def.path, this.envFor("variable", [], undefined))
        : await this.evaluateValue(def.raw, def.path, this.envFor("variable", [], undefined), true);
      this.variableValues.set(key, value);
      return value;
    } finally {
      this.evaluating.delete(key);
    }
  }

  async callUserFunction(fullName: string, args: unknown[]): Promise<unknown> {
    const fn = this.functions.get(fullName.toLowerCase()) ?? this.deps.outer?.functions.get(fullName.toLowerCase());
    if (!fn)
      throw new ExpressionError(
        `The template function '${fullName}' is not valid. Please see https://aka.ms/arm-functions for usage details.`,
      );
    if (args.length !== fn.params.length)
      throw new ExpressionError(`The user-defined function '${fn.name}' expects ${fn.params.length} parameter(s), got ${args.length}.`);
    const bound = new Map(fn.params.map((p, i) => [p.name.toLowerCase(), args[i]] as const));
    const base = this.envFor("userFunction", [], undefined);
    const env: EvalEnv = {
      ...base,
      parameter: async (name) => {
        const key = name.toLowerCase();
        if (!bound.has(key)) throw new ExpressionError(`The user-defined function '${fn.name}' has no parameter '${name}'.`);
        return bound.get(key);
      },
      variable: () => Promise.reject(new ExpressionError(`A user-defined function ('${fn.name}') cannot use variables.`)),
      callUserFunction: () =>
        Promise.reject(new ExpressionError(`A user-defined function ('${fn.name}') cannot call other user-defined functions.`)),
    };
    return this.evaluateValue(fn.output.value, childPath(fn.path, "output"), env, false);
  }

  envFor(site: EvalSite, loops: readonly Loop[], host: TemplateHost | undefined): EvalEnv {
    const { context, limits, templateInfo } = this.deps;
    return {
      context,
      site,
      host,
      templateInfo,
      parameter: (name) => this.parameter(name),
      variable: (name) => {
        if (site === "parameterDefault")
          return Promise.reject(
            new ExpressionError("The template function 'variables' is not expected in the default value of a parameter."),
          );
        return this.variable(name);
      },
      loops,
      resolveResource: (nameOrSymbol) => this.resolveResource(nameOrSymbol),
      callUserFunction: (name, args) => this.callUserFunction(name, args),
      lambdaScope: new Map(),
      now: context.now ?? (() => new Date()),
      maxArrayLength: limits.maxArrayLength,
      maxStringLength: limits.maxStringLength,
      budget: this.deps.budget,
      functions: FUNCTIONS,
    };
  }

  /**
   * Evaluates a JSON value: expression strings are evaluated, arrays and objects walked. With `expandCopy`, an
   * object's `copy` array of `{name, count, input}` adds a property per entry holding `count` evaluated inputs.
   */
  async evaluateValue(value: unknown, path: string, env: EvalEnv, expandCopy: boolean): Promise<unknown> {
    if (typeof value === "string") {
      let parsed: TemplateString;
      try {
        parsed = this.parse(value);
      } catch (error) {
        throw located(path, error);
      }
      if (parsed.kind === "literal") return parsed.value;
      try {
        return await evaluate(parsed.expr, env);
      } catch (error) {
        throw located(path, error);
      }
    }
    if (env.budget.spend(1)) await yieldToEventLoop();
    const tally = env.budget.tally();
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const item = await this.evaluateValue(value[i], childPath(path, i), env, expandCopy);
        measured(path, tally, item);
        out.push(item);
      }
      return out;
    }
    if (isObject(value)) {
      const out: JsonObject = {};
      for (const [key, v] of Object.entries(value)) {
        if (expandCopy && key.toLowerCase() === "copy" && Array.isArray(v) && v.every(isCopySpec)) {
          for (let i = 0; i < v.length; i++) {
            const spec = v[i] as JsonObject;
            const found = getProperty(spec, "name");
            const name = found.found && typeof found.value === "string" ? found.value : "";
            const specPath = childPath(childPath(path, "copy"), i);
            const items = await this.evaluateCopyArray(spec, specPath, env);
            measured(specPath, tally, items);
            setProperty(out, name, items);
          }
          continue;
        }
        const item = await this.evaluateValue(v, childPath(path, key), env, expandCopy);
        measured(path, tally, key);
        measured(path, tally, item);
        setProperty(out, key, item);
      }
      return out;
    }
    return value;
  }

  /** `{ name, count, input }` → `count` values of `input`, each with `copyIndex(name)` set. */
  async evaluateCopyArray(spec: JsonObject, path: string, env: EvalEnv): Promise<unknown[]> {
    const name = getProperty(spec, "name");
    const input = getProperty(spec, "input");
    if (!name.found || typeof name.value !== "string" || !input.found) {
      throw new PathError(path, "The copy property must have a 'name', a 'count' and an 'input'.");
    }
    const count = await this.evaluateCount(spec, path, env);
    const tally = env.budget.tally();
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const inner: EvalEnv = { ...env, loops: [...env.loops, { name: name.value, index: i }] };
      const item = await this.evaluateValue(input.value, childPath(path, "input"), inner, true);
      measured(path, tally, item);
      out.push(item);
    }
    return out;
  }

  async evaluateCount(spec: JsonObject, path: string, env: EvalEnv): Promise<number> {
    const raw = getProperty(spec, "count");
    const count = raw.found ? await this.evaluateValue(raw.value, childPath(path, "count"), env, false) : undefined;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
      throw new PathError(childPath(path, "count"), `The copy count must be a non-negative integer; it is of type '${typeName(count)}'.`);
    }
    if (count > this.deps.limits.maxCopyCount) {
      throw new PathError(childPath(path, "count"), `The copy count '${count}' exceeds the limit of '${this.deps.limits.maxCopyCount}'.`);
    }
    return count;
  }
}

/** Adds a part to the value being built at `path`; past the size limit, the fault names that path. */
function measured(path: string, tally: (part: unknown) => void, part: unknown): void {
  try {
    tally(part);
  } catch (error) {
    throw located(path, error);
  }
}

function isCopySpec(v: unknown): boolean {
  return isObject(v) && getProperty(v, "name").found && getProperty(v, "input").found;
}

export function located(path: string, error: unknown): Error {
  if (error instanceof PathError) return error;
  if (error instanceof ExpressionError) return new PathError(path, error.message);
  return error instanceof Error ? error : new Error(String(error));
}
