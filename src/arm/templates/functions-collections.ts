/** Array, object, comparison, logical and numeric functions. */
import { ExpressionError } from "./errors.ts";
import { evaluate, type FunctionSpec } from "./evaluator.ts";
import { arr, bool, checkLength, fail, int, obj, str, strOrArr } from "./function-args.ts";
import { deepEqual, equalityKey, getProperty, isObject, type JsonObject, setProperty, toArmString, typeName } from "./values.ts";

const MANY = Number.POSITIVE_INFINITY;

/**
 * `b` laid over `a`, keys matched as `getProperty` matches them (an exact spelling, else the first key of the same
 * lower case), through an index of `out`'s keys by lower case kept as keys come and go: one pass, not a scan of
 * every key of `a` for each key of `b`.
 */
function deepMerge(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  const byLower = new Map<string, string[]>();
  const added = (key: string) => {
    const spellings = byLower.get(key.toLowerCase());
    if (spellings) spellings.push(key);
    else byLower.set(key.toLowerCase(), [key]);
  };
  for (const key of Object.keys(out)) added(key);
  for (const [k, v] of Object.entries(b)) {
    const existingKey = Object.hasOwn(out, k) ? k : byLower.get(k.toLowerCase())?.[0];
    const existing = existingKey === undefined ? undefined : out[existingKey];
    if (existingKey !== undefined && isObject(existing) && isObject(v)) setProperty(out, existingKey, deepMerge(existing, v));
    else {
      if (existingKey !== undefined && existingKey !== k) {
        delete out[existingKey];
        const spellings = byLower.get(k.toLowerCase())!;
        spellings.splice(spellings.indexOf(existingKey), 1);
      }
      if (!Object.hasOwn(out, k)) added(k);
      setProperty(out, k, v);
    }
  }
  return out;
}

function sameKind(fn: string, args: unknown[]): "array" | "object" {
  if (args.every(Array.isArray)) return "array";
  if (args.every(isObject)) return "object";
  return fail(`The template language function '${fn}' expects all its parameters to be arrays or all to be objects.`);
}

function compare(fn: string, a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return fail(`The template language function '${fn}' expects two integers or two strings; got '${typeName(a)}' and '${typeName(b)}'.`);
}

function numbers(fn: string, args: unknown[]): number[] {
  const values = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (values.length === 0) fail(`The template language function '${fn}' needs at least one integer.`);
  return values.map((_, i) => int(fn, values, i));
}

function checked(value: number): number {
  if (!Number.isSafeInteger(value))
    throw new ExpressionError("The result of the arithmetic operation is outside the supported integer range.");
  return value;
}

/** Elements of `items` without repeats (by `deepEqual`), in order, in one pass: no comparison of every pair. */
function distinct(items: readonly unknown[], keep: (key: string) => boolean = () => true): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const item of items) {
    const key = equalityKey(item);
    if (seen.has(key) || !keep(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string" || Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}

export const COLLECTION_FUNCTIONS: Record<string, FunctionSpec> = {
  concat: {
    minArgs: 0,
    maxArgs: MANY,
    run: (a, env) => {
      if (a.length > 0 && a.every((v) => Array.isArray(v) || v === null)) {
        const out = a.flatMap((v) => (v === null ? [] : (v as unknown[])));
        checkLength("concat", out.length, env.maxArrayLength);
        return out;
      }
      if (a.some((v) => Array.isArray(v) || isObject(v)))
        fail("The template language function 'concat' expects its parameters to be all arrays or all strings and numbers.");
      const out = a.map((v) => toArmString(v)).join("");
      checkLength("concat", out.length, env.maxStringLength);
      return out;
    },
  },
  length: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) => (isObject(a[0]) ? Object.keys(a[0]).length : strOrArr("length", a, 0).length),
  },
  empty: { minArgs: 1, maxArgs: 1, run: (a) => isEmpty(a[0]) },
  contains: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) => {
      const [container, item] = a;
      if (typeof container === "string") return container.includes(toArmString(item));
      if (Array.isArray(container)) return container.some((v) => deepEqual(v, item));
      if (isObject(container)) return getProperty(container, str("contains", a, 1)).found;
      return fail(`The template language function 'contains' expects a string, an array or an object; got '${typeName(container)}'.`);
    },
  },
  first: { minArgs: 1, maxArgs: 1, run: (a) => (typeof a[0] === "string" ? a[0].slice(0, 1) : (arr("first", a, 0)[0] ?? null)) },
  last: { minArgs: 1, maxArgs: 1, run: (a) => (typeof a[0] === "string" ? a[0].slice(-1) : (arr("last", a, 0).at(-1) ?? null)) },
  union: {
    minArgs: 1,
    maxArgs: MANY,
    run: (a) => {
      if (sameKind("union", a) === "object") return (a as JsonObject[]).reduce((acc, o) => deepMerge(acc, o), {});
      return distinct((a as unknown[][]).flat());
    },
  },
  intersection: {
    minArgs: 2,
    maxArgs: MANY,
    run: (a) => {
      if (sameKind("intersection", a) === "object") {
        const [head, ...rest] = a as JsonObject[];
        const out: JsonObject = {};
        for (const [k, v] of Object.entries(head!)) {
          if (
            rest.every((o) => {
              const p = getProperty(o, k);
              return p.found && deepEqual(p.value, v);
            })
          )
            setProperty(out, k, v);
        }
        return out;
      }
      const [head, ...rest] = a as unknown[][];
      const others = rest.map((r) => new Set(r.map(equalityKey)));
      return distinct(head!, (key) => others.every((keys) => keys.has(key)));
    },
  },
  createarray: { minArgs: 0, maxArgs: MANY, run: (a) => [...a] },
  createobject: {
    minArgs: 0,
    maxArgs: MANY,
    run: (a) => {
      if (a.length % 2 !== 0) fail("The template language function 'createObject' expects an even number of parameters: keys and values.");
      const out: JsonObject = {};
      for (let i = 0; i < a.length; i += 2) setProperty(out, str("createObject", a, i), a[i + 1]);
      return out;
    },
  },
  array: { minArgs: 1, maxArgs: 1, run: (a) => (Array.isArray(a[0]) ? a[0] : [a[0]]) },
  range: {
    minArgs: 2,
    maxArgs: 2,
    run: (a, env) => {
      const start = int("range", a, 0);
      const count = int("range", a, 1);
      if (count < 0) fail("The template language function 'range' expects a non-negative count.");
      checkLength("range", count, env.maxArrayLength);
      return Array.from({ length: count }, (_, i) => checked(start + i));
    },
  },
  items: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) =>
      Object.keys(obj("items", a, 0))
        .sort((x, y) => x.toLowerCase().localeCompare(y.toLowerCase()))
        .map((key) => ({ key, value: (a[0] as JsonObject)[key] })),
  },
  objectkeys: { minArgs: 1, maxArgs: 1, run: (a) => Object.keys(obj("objectKeys", a, 0)) },
  coalesce: { minArgs: 1, maxArgs: MANY, run: (a) => a.find((v) => v !== null && v !== undefined) ?? null },
  min: { minArgs: 1, maxArgs: MANY, run: (a) => Math.min(...numbers("min", a)) },
  max: { minArgs: 1, maxArgs: MANY, run: (a) => Math.max(...numbers("max", a)) },
  add: { minArgs: 2, maxArgs: 2, run: (a) => checked(int("add", a, 0) + int("add", a, 1)) },
  sub: { minArgs: 2, maxArgs: 2, run: (a) => checked(int("sub", a, 0) - int("sub", a, 1)) },
  mul: { minArgs: 2, maxArgs: 2, run: (a) => checked(int("mul", a, 0) * int("mul", a, 1)) },
  div: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) => {
      const d = int("div", a, 1);
      if (d === 0) fail("The template language function 'div' cannot divide by zero.");
      return Math.trunc(int("div", a, 0) / d);
    },
  },
  mod: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) => {
      const d = int("mod", a, 1);
      if (d === 0) fail("The template language function 'mod' cannot divide by zero.");
      return int("mod", a, 0) % d;
    },
  },
  int: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) => {
      const v = a[0];
      if (typeof v === "number") return Math.trunc(v);
      if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
      return fail(`The template language function 'int' cannot convert the value of type '${typeName(v)}' to an integer.`);
    },
  },
  bool: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) => {
      const v = a[0];
      if (typeof v === "boolean") return v;
      if (typeof v === "number") return v !== 0;
      if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
      return fail(`The template language function 'bool' cannot convert the value of type '${typeName(v)}' to a boolean.`);
    },
  },
  equals: { minArgs: 2, maxArgs: 2, run: (a) => deepEqual(a[0], a[1]) },
  less: { minArgs: 2, maxArgs: 2, run: (a) => compare("less", a[0], a[1]) < 0 },
  lessorequals: { minArgs: 2, maxArgs: 2, run: (a) => compare("lessOrEquals", a[0], a[1]) <= 0 },
  greater: { minArgs: 2, maxArgs: 2, run: (a) => compare("greater", a[0], a[1]) > 0 },
  greaterorequals: { minArgs: 2, maxArgs: 2, run: (a) => compare("greaterOrEquals", a[0], a[1]) >= 0 },
  not: { minArgs: 1, maxArgs: 1, run: (a) => !bool("not", a, 0) },
  true: { minArgs: 0, maxArgs: 0, run: () => true },
  false: { minArgs: 0, maxArgs: 0, run: () => false },
  null: { minArgs: 0, maxArgs: 0, run: () => null },
  and: {
    minArgs: 2,
    maxArgs: MANY,
    lazy: async (args, env) => {
      for (let i = 0; i < args.length; i++) if (!bool("and", [await evaluate(args[i]!, env)], 0)) return false;
      return true;
    },
  },
  or: {
    minArgs: 2,
    maxArgs: MANY,
    lazy: async (args, env) => {
      for (let i = 0; i < args.length; i++) if (bool("or", [await evaluate(args[i]!, env)], 0)) return true;
      return false;
    },
  },
  if: {
    minArgs: 3,
    maxArgs: 3,
    lazy: async (args, env) => {
      const condition = bool("if", [await evaluate(args[0]!, env)], 0);
      return evaluate(condition ? args[1]! : args[2]!, env);
    },
  },
  trygetproperty: {
    minArgs: 2,
    maxArgs: MANY,
    run: (a) => {
      let value: unknown = a[0];
      for (const key of a.slice(1)) {
        if (isObject(value) && typeof key === "string") {
          const p = getProperty(value, key);
          value = p.found ? p.value : null;
        } else if (Array.isArray(value) && typeof key === "number") {
          value = value[key] ?? null;
        } else {
          return null;
        }
      }
      return value ?? null;
    },
  },
};
