/**
 * Evaluates parsed expressions. Arguments are evaluated left to right before a function runs, except for the
 * functions that decide which arguments matter (`if`, `and`, `or`, `lambda`, which take them unevaluated), so
 * `if(false, reference(…), …)` never reads the resource. Everything a function may see about the deployment comes
 * through the `EvalEnv`; where a function is not allowed (a `reference()` in a resource name, a `utcNow()` outside a
 * parameter default) the env says so and the call fails with ARM's message.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { ExpressionError } from "./errors.ts";
import type { Expr } from "./expression-parser.ts";
import type { DeploymentContext, TemplateHost } from "./types.ts";
import { expandedSize, getProperty, isLambda, isObject, type LambdaValue, typeName } from "./values.ts";

/** Where an expression sits decides which functions it may call. */
export type EvalSite = "parameterDefault" | "variable" | "plan" | "body" | "output" | "userFunction";

export interface Loop {
  name: string;
  index: number;
}

export function copyIndexOf(loops: readonly Loop[], name: string | undefined): number {
  if (loops.length === 0)
    throw new ExpressionError(
      "The template function 'copyIndex' is not expected at this location. It can only be used within a copy loop.",
    );
  if (name === undefined) return loops[0]!.index;
  const loop = loops.find((l) => l.name.toLowerCase() === name.toLowerCase());
  if (!loop)
    throw new ExpressionError(`The template function 'copyIndex' names the copy loop '${name}', which does not enclose this expression.`);
  return loop.index;
}

export interface ResourceRef {
  resourceId: string;
  apiVersion: string;
  symbolicName?: string;
  name: string;
  type: string;
}

/**
 * What a deployment's expressions may cost, shared by all of them (nested templates included). Without it one
 * template could hold the event loop for minutes (copy loops in copy loops, a lambda in a lambda over `range()`)
 * or build gigabytes (values shared by reference grow exponentially once written out).
 */
export interface EvaluationBudget {
  /**
   * Charges evaluation steps (an expression node, a comparison); throws past the deployment's limit. True every
   * few thousand steps: the caller then yields to the event loop, so a long evaluation never holds other requests.
   */
  spend(steps: number): boolean;
  /**
   * A tally of the parts of one value being built (arguments, elements, properties); throws past the size limit.
   * Answers the size of the value so far.
   */
  tally(): (part: unknown) => number;
}

/** A few milliseconds of evaluation. */
const STEPS_BETWEEN_YIELDS = 4096;

export function evaluationBudget(limits: { maxEvaluationSteps: number; maxValueSize: number }): EvaluationBudget {
  let steps = 0;
  let sinceYield = 0;
  return {
    spend(n) {
      steps += n;
      if (steps > limits.maxEvaluationSteps)
        throw new ExpressionError(
          `The template's expressions take more than ${limits.maxEvaluationSteps} evaluation steps, the limit of one deployment. Simplify its nested copy loops and lambdas.`,
        );
      sinceYield += n;
      if (sinceYield < STEPS_BETWEEN_YIELDS) return false;
      sinceYield = 0;
      return true;
    },
    tally() {
      let size = 0;
      return (part) => {
        try {
          size += expandedSize(part, limits.maxValueSize);
        } catch (error) {
          if (error instanceof RangeError)
            throw new ExpressionError("The template language expression builds a value nested too deeply to process.");
          throw error;
        }
        if (size > limits.maxValueSize)
          throw new ExpressionError(
            `The template language expression builds a value larger than ${limits.maxValueSize} characters when written out, the limit of one value.`,
          );
        return size;
      };
    },
  };
}

export interface EvalEnv {
  readonly context: DeploymentContext;
  readonly site: EvalSite;
  readonly host: TemplateHost | undefined;
  parameter(name: string): Promise<unknown>;
  variable(name: string): Promise<unknown>;
  /** The copy loops around the expression, outermost first (`copyIndex()` without a name reads the outermost). */
  readonly loops: readonly Loop[];
  /** A resource of this template by symbolic name (`languageVersion` 2.0) or by its declared name. */
  resolveResource(nameOrSymbol: string): ResourceRef | undefined;
  /** Told of each resource a `reference()`/`listKeys()` reads, for implicit dependencies. */
  onReference?(resourceId: string): void;
  callUserFunction(name: string, args: unknown[]): Promise<unknown>;
  readonly lambdaScope: ReadonlyMap<string, unknown>;
  readonly templateInfo: { contentVersion: string; metadata?: Record<string, unknown>; templateHash: string };
  readonly now: () => Date;
  readonly maxArrayLength: number;
  readonly maxStringLength: number;
  readonly budget: EvaluationBudget;
  /** The built-in functions by lower-case name (`functions.ts`), passed in so this file imports none of them. */
  readonly functions: Readonly<Record<string, FunctionSpec>>;
}

export interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  /** Receives its arguments unevaluated; calls `evaluate` itself. */
  lazy?: (args: Expr[], env: EvalEnv) => Promise<unknown>;
  run?: (args: unknown[], env: EvalEnv, name: string) => unknown;
}

export async function evaluate(expr: Expr, env: EvalEnv): Promise<unknown> {
  if (env.budget.spend(1)) await yieldToEventLoop();
  switch (expr.kind) {
    case "string":
      return expr.value;
    case "number":
      if (!Number.isSafeInteger(expr.value))
        throw new ExpressionError(`The number '${expr.value}' is not a valid 64-bit integer within the supported range.`);
      return expr.value;
    case "property":
      return accessProperty(await evaluate(expr.target, env), expr.name);
    case "index": {
      const target = await evaluate(expr.target, env);
      const index = await evaluate(expr.index, env);
      return accessIndex(target, index);
    }
    case "call":
      return call(expr, env);
  }
}

async function call(expr: Extract<Expr, { kind: "call" }>, env: EvalEnv): Promise<unknown> {
  const result = await callUnchecked(expr, env);
  env.budget.tally()(result);
  return result;
}

/**
 * Arguments evaluated left to right, measured together as they come (a thousand copies of one large value are
 * refused). A function reads what it is given: each 4 KiB of arguments costs a step, so `indexOf` over a 1 MB
 * string in a loop of 10,000 cannot run for seconds on a few steps.
 */
async function evaluateArguments(exprs: readonly Expr[], env: EvalEnv): Promise<unknown[]> {
  const tally = env.budget.tally();
  const args: unknown[] = [];
  let size = 0;
  for (const arg of exprs) {
    const value = await evaluate(arg, env);
    size = tally(value);
    args.push(value);
  }
  if (size >= BYTES_PER_STEP && env.budget.spend(Math.floor(size / BYTES_PER_STEP))) await yieldToEventLoop();
  return args;
}

const BYTES_PER_STEP = 4096;

async function callUnchecked(expr: Extract<Expr, { kind: "call" }>, env: EvalEnv): Promise<unknown> {
  if (expr.name.includes(".")) return env.callUserFunction(expr.name, await evaluateArguments(expr.args, env));
  const lower = expr.name.toLowerCase();
  const table = env.functions;
  const spec = Object.hasOwn(table, lower) ? table[lower] : lower.startsWith("list") ? table.listkeys : undefined;
  if (!spec)
    throw new ExpressionError(
      `The template function '${expr.name}' is not valid. Please see https://aka.ms/arm-functions for usage details.`,
    );
  const countProblem = argumentCountProblem(expr.name, spec, expr.args.length);
  if (countProblem) throw countProblem;
  if (spec.lazy) return spec.lazy(expr.args, env);
  const args = await evaluateArguments(expr.args, env);
  try {
    return await spec.run!(args, env, expr.name);
  } catch (error) {
    // A value nested deeper than the stack allows (`string(json(…))` of a deep text) is the template's fault.
    if (error instanceof RangeError)
      throw new ExpressionError(`The template language function '${expr.name}' got a value nested too deeply to process.`);
    throw error;
  }
}

/** ARM's error for a call with too few or too many arguments, or undefined when the count is allowed. */
export function argumentCountProblem(name: string, spec: FunctionSpec, count: number): ExpressionError | undefined {
  if (count >= spec.minArgs && count <= spec.maxArgs) return undefined;
  const expected =
    spec.minArgs === spec.maxArgs
      ? `${spec.minArgs}`
      : spec.maxArgs === Number.POSITIVE_INFINITY
        ? `at least ${spec.minArgs}`
        : `from ${spec.minArgs} to ${spec.maxArgs}`;
  return new ExpressionError(`The template language function '${name}' must have ${expected} parameter(s).`);
}

function accessProperty(target: unknown, name: string): unknown {
  if (isObject(target)) {
    const found = getProperty(target, name);
    if (found.found) return found.value;
    const available = Object.keys(target).join(", ");
    throw new ExpressionError(`The language expression property '${name}' doesn't exist, available properties are '${available}'.`);
  }
  if (target === null || target === undefined)
    throw new ExpressionError(`The language expression property '${name}' can't be evaluated, the value is null.`);
  throw new ExpressionError(
    `The language expression property '${name}' can't be evaluated, property name must be a string on an object; the value is of type '${typeName(target)}'.`,
  );
}

function accessIndex(target: unknown, index: unknown): unknown {
  if (Array.isArray(target)) {
    if (typeof index !== "number" || !Number.isInteger(index)) {
      throw new ExpressionError(`The language expression property array index must be an integer; it is of type '${typeName(index)}'.`);
    }
    if (index < 0 || index >= target.length)
      throw new ExpressionError(`The language expression property array index '${index}' is out of bounds.`);
    return target[index];
  }
  if (isObject(target) && typeof index === "string") return accessProperty(target, index);
  throw new ExpressionError(
    `The language expression can't index a value of type '${typeName(target)}' with a value of type '${typeName(index)}'.`,
  );
}

/** Calls a lambda value with its arguments bound to its parameter names. */
export async function invokeLambda(fn: unknown, args: unknown[], env: EvalEnv, caller: string): Promise<unknown> {
  if (!isLambda(fn))
    throw new ExpressionError(
      `The template language function '${caller}' expects a lambda function; got a value of type '${typeName(fn)}'.`,
    );
  const lambda: LambdaValue = fn;
  if (lambda.params.length > args.length) {
    throw new ExpressionError(
      `The lambda function of '${caller}' declares ${lambda.params.length} parameter(s) but '${caller}' passes ${args.length}.`,
    );
  }
  const scope = new Map(env.lambdaScope);
  lambda.params.forEach((p, i) => {
    scope.set(p.toLowerCase(), args[i]);
  });
  return evaluate(lambda.body, { ...env, lambdaScope: scope });
}
