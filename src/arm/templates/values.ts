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

/** A property of an object by ARM's case-insensitive key match (an exact match wins). */
export function getProperty(obj: JsonObject, key: string): { found: true; value: unknown; key: string } | { found: false } {
  if (Object.hasOwn(obj, key)) return { found: true, value: obj[key], key };
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return { found: true, value: obj[k], key: k };
  return { found: false };
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

/** ARM's `string()`: strings as they are, booleans as .NET writes them (`True`), JSON for the rest. */
export function toArmString(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  if (isLambda(value)) throw new ExpressionError("A lambda function cannot be converted to a string.");
  return JSON.stringify(value);
}
