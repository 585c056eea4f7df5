/**
 * Template values are JSON values (plus lambdas, which exist only while a function runs). ARM compares object
 * keys case-insensitively and strings case-sensitively; these helpers hold those rules in one place.
 */
import { ExpressionError } from "./errors.ts";
import type { Expr } from "./expression-parser.ts";

export interface LambdaValue {
  kind: "lambda";
  params: string[];
  body: Expr;
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isLambda(value);
}

export function isLambda(value: unknown): value is LambdaValue {
  return (
    typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "lambda" && "body" in value && "params" in value
  );
}

/** ARM's name for a value's type, as its messages spell it. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return "Null";
  if (typeof value === "string") return "String";
  if (typeof value === "boolean") return "Boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "Float";
  if (Array.isArray(value)) return "Array";
  if (isLambda(value)) return "Lambda";
  return "Object";
}

/** Objects of at least this many keys have their keys indexed by lower case, on their first look-up that misses. */
const INDEXED_FROM = 16;
/** Those indexes: template values are never changed once built (objects are filled before anyone reads them). */
const keysByLower = new WeakMap<JsonObject, Map<string, string>>();

/**
 * A property of an object by ARM's case-insensitive key match (an exact match wins, else the first key of the same
 * lower case). Without the index a look-up that misses the exact spelling scans every key: 10,000 look-ups in an
 * object of 10,000 keys (`map` over `range()`, `union`, `equals`) held the event loop for 11 to 27 s.
 */
export function getProperty(obj: JsonObject, key: string): { found: true; value: unknown; key: string } | { found: false } {
  if (Object.hasOwn(obj, key)) return { found: true, value: obj[key], key };
  const lower = key.toLowerCase();
  let index = keysByLower.get(obj);
  if (!index) {
    const keys = Object.keys(obj);
    if (keys.length < INDEXED_FROM) {
      for (const k of keys) if (k.toLowerCase() === lower) return { found: true, value: obj[k], key: k };
      return { found: false };
    }
    index = new Map();
    for (const k of keys) if (!index.has(k.toLowerCase())) index.set(k.toLowerCase(), k);
    keysByLower.set(obj, index);
  }
  const found = index.get(lower);
  return found === undefined ? { found: false } : { found: true, value: obj[found], key: found };
}

/** Sets a key so that `__proto__` and friends become ordinary own properties. */
export function setProperty(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Deep equality: strings and values case-sensitively, object keys case-insensitively, key order ignored. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => {
      const other = getProperty(b, k);
      return other.found && deepEqual(a[k], other.value);
    });
  }
  return false;
}

/**
 * A text equal for two values exactly when `deepEqual` holds (object keys without case or order, null and a missing
 * value alike), so a set of keys finds repeats in one pass.
 */
export function equalityKey(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(equalityKey).join(",")}]`;
  if (isObject(value)) {
    const entries = Object.entries(value).map(([k, v]) => [k.toLowerCase(), equalityKey(v)] as const);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Sizes of arrays and objects already measured: template values are never changed once built. */
const measuredSizes = new WeakMap<object, number>();

/**
 * A value's size when written out in full: characters of strings and keys, one for each other value, counted up
 * to just past `max`. A value built by sharing (`createArray(v, v)` at each of 30 levels) is small in memory but
 * exponential once `string()`, a comparison or a request body walks it; each shared part is measured once.
 */
export function expandedSize(value: unknown, max: number): number {
  if (typeof value === "string") return value.length + 1;
  if (typeof value !== "object" || value === null || isLambda(value)) return 1;
  const known = measuredSizes.get(value);
  if (known !== undefined) return known;
  let size = 1;
  if (Array.isArray(value)) {
    for (const item of value) {
      size += expandedSize(item, max);
      if (size > max) return size;
    }
  } else {
    for (const [key, item] of Object.entries(value)) {
      size += key.length + expandedSize(item, max);
      if (size > max) return size;
    }
  }
  measuredSizes.set(value, size);
  return size;
}

/** ARM's `string()`: strings as they are, booleans as .NET writes them (`True`), JSON for the rest. */
export function toArmString(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  if (isLambda(value)) throw new ExpressionError("A lambda function cannot be converted to a string.");
  return JSON.stringify(value);
}
