/** Every built-in template function, by lower-case name (ARM matches function names case-insensitively). */
import type { FunctionSpec } from "./evaluator.ts";
import { COLLECTION_FUNCTIONS } from "./functions-collections.ts";
import { DEPLOYMENT_FUNCTIONS } from "./functions-deployment.ts";
import { LAMBDA_FUNCTIONS } from "./functions-lambda.ts";
import { STRING_FUNCTIONS } from "./functions-strings.ts";

export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = Object.freeze({
  ...STRING_FUNCTIONS,
  ...COLLECTION_FUNCTIONS,
  ...DEPLOYMENT_FUNCTIONS,
  ...LAMBDA_FUNCTIONS,
});

/** The names the engine supports, as documented (docs/templates.md is checked against this list). */
export const FUNCTION_NAMES: readonly string[] = Object.freeze(Object.keys(FUNCTIONS).sort());
