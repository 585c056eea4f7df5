import { readFileSync } from "node:fs";
import { UsageError } from "./cli-error.ts";

/** A JSON option as az reads it: inline JSON or `@file`; must be an array. */
export function readJsonArray(option: string, text: string): unknown[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text.startsWith("@") ? readFileSync(text.slice(1), "utf8") : text);
  } catch (err) {
    throw new UsageError(`argument --${option}: not JSON or not a readable @file (${(err as Error).message}).`);
  }
  if (!Array.isArray(raw)) throw new UsageError(`argument --${option}: must be a JSON array.`);
  return raw;
}
