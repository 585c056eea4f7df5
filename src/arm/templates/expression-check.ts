/**
 * Checks every expression of a template before anything is planned or deployed, as ARM's validation does: each
 * `"[…]"` string must parse, and name a function that exists with an allowed number of arguments. So a typo in an
 * output or deep in a resource's properties fails the deployment up front (`InvalidTemplate`, with the path and
 * line of the string), not after the resources before it were written. Nested templates are checked too.
 */
import { ExpressionError, invalidPart, type TemplateLocation } from "./errors.ts";
import { argumentCountProblem } from "./evaluator.ts";
import { calls } from "./expression-parser.ts";
import { FUNCTIONS } from "./functions.ts";
import type { TemplateScope } from "./template-scope.ts";
import { childPath } from "./template-text.ts";
import { getProperty, isObject } from "./values.ts";

export function checkExpressions(scope: TemplateScope, template: Record<string, unknown>, where: (path: string) => TemplateLocation): void {
  const visit = (value: unknown, path: string, part: string): void => {
    if (typeof value === "string") {
      checkOne(scope, value, path, part, where);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], childPath(path, i), part);
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, childPath(path, k), part);
    }
  };
  for (const [key, value] of Object.entries(template)) {
    const section = key.toLowerCase();
    if (key.startsWith("$") || section === "metadata") continue;
    const label = LABELS[section];
    if (label && Array.isArray(value)) {
      value.forEach((item, i) => {
        const name = isObject(item) ? getProperty(item, "name") : { found: false as const };
        visit(item, childPath(key, i), `template ${label} '${name.found && typeof name.value === "string" ? name.value : i}'`);
      });
    } else if (label && isObject(value)) {
      for (const [name, item] of Object.entries(value)) visit(item, childPath(key, name), `template ${label} '${name}'`);
    } else {
      visit(value, key, "template");
    }
  }
}

const LABELS: Record<string, string> = {
  parameters: "parameter",
  variables: "variable",
  outputs: "output",
  resources: "resource",
  functions: "function",
};

function checkOne(scope: TemplateScope, value: string, path: string, part: string, where: (path: string) => TemplateLocation): void {
  let parsed: ReturnType<TemplateScope["parse"]>;
  try {
    parsed = scope.parse(value);
    if (parsed.kind !== "expression") return;
    for (const call of calls(parsed.expr)) {
      if (call.name.includes(".")) continue; // user-defined: checked when called
      const lower = call.name.toLowerCase();
      const spec = Object.hasOwn(FUNCTIONS, lower) ? FUNCTIONS[lower] : lower.startsWith("list") ? FUNCTIONS.listkeys : undefined;
      if (!spec)
        throw new ExpressionError(
          `The template function '${call.name}' is not valid. Please see https://aka.ms/arm-functions for usage details.`,
        );
      const countProblem = argumentCountProblem(call.name, spec, call.args.length);
      if (countProblem) throw countProblem;
    }
  } catch (error) {
    if (error instanceof ExpressionError) throw invalidPart(part, where(path), error.message);
    throw error;
  }
}
