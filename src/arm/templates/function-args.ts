/** Argument checks shared by the function tables, with ARM's messages. */
import { ExpressionError } from "./errors.ts";
import { isObject, type JsonObject, typeName } from "./values.ts";

function wrongType(fn: string, index: number, expected: string, value: unknown): ExpressionError {
  return new ExpressionError(
    `The template language function '${fn}' expects its parameter ${index === 0 ? "" : `number ${index + 1} `}to be of type '${expected}'. The provided value is of type '${typeName(value)}'.`,
  );
}

export function str(fn: string, args: unknown[], index: number): string {
  const value = args[index];
  if (typeof value !== "string") throw wrongType(fn, index, "String", value);
  return value;
}

export function int(fn: string, args: unknown[], index: number): number {
  const value = args[index];
  if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(fn, index, "Integer", value);
  return value;
}

export function arr(fn: string, args: unknown[], index: number): unknown[] {
  const value = args[index];
  if (!Array.isArray(value)) throw wrongType(fn, index, "Array", value);
  return value;
}

export function obj(fn: string, args: unknown[], index: number): JsonObject {
  const value = args[index];
  if (!isObject(value)) throw wrongType(fn, index, "Object", value);
  return value;
}

export function bool(fn: string, args: unknown[], index: number): boolean {
  const value = args[index];
  if (typeof value !== "boolean") throw wrongType(fn, index, "Boolean", value);
  return value;
}

/** A string or an array (the functions that work on both: length, first, take, contains, …). */
export function strOrArr(fn: string, args: unknown[], index: number): string | unknown[] {
  const value = args[index];
  if (typeof value !== "string" && !Array.isArray(value)) throw wrongType(fn, index, "String' or 'Array", value);
  return value;
}

export function checkLength(fn: string, length: number, max: number): void {
  if (length > max)
    throw new ExpressionError(
      `The template language function '${fn}' would build a value of ${length} elements, above the limit of ${max}.`,
    );
}

export function fail(message: string): never {
  throw new ExpressionError(message);
}
