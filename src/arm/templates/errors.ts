/**
 * The one error the template engine throws. `code` is ARM's (`InvalidTemplate` for a fault in the template or its
 * parameters found before anything is deployed, `InvalidTemplateDeployment` for a fault found while a resource body
 * or an output is evaluated during the deployment); `message` is ARM's sentence; `target` is the JSON path of the
 * fault (`resources[1].properties.x`) and `line`/`column` its place in the template text, when the text was given.
 * Messages never contain the value of a secure parameter.
 */
type TemplateErrorCode = "InvalidTemplate" | "InvalidTemplateDeployment";

export class TemplateError extends Error {
  readonly code: TemplateErrorCode;
  readonly target: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(code: TemplateErrorCode, message: string, target?: string, line?: number, column?: number) {
    super(message);
    this.name = "TemplateError";
    this.code = code;
    this.target = target;
    this.line = line;
    this.column = column;
  }
}

/**
 * A fault inside one expression or function call, before it is placed in the template: the planner wraps it with
 * the JSON path (and line) of the string that held the expression.
 */
export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
}

/** Where in the template a value sits: its JSON path, and its line/column when the template text was given. */
export interface TemplateLocation {
  path: string;
  line?: number;
  column?: number;
}

function at(location: TemplateLocation): string {
  return location.line === undefined ? "" : ` at line '${location.line}' and column '${location.column}'`;
}

const USAGE = "Please see https://aka.ms/arm-syntax for usage details.";

/** `Deployment template validation failed: '…'.` — ARM's wrapper for every fault found before deploying. */
export function invalidTemplate(location: TemplateLocation | undefined, inner: string): TemplateError {
  const message = `Deployment template validation failed: '${inner}'.`;
  return new TemplateError("InvalidTemplate", message, location?.path, location?.line, location?.column);
}

/** A fault in a named part of the template (`The template resource 'x' at line … is not valid: …`). */
export function invalidPart(part: string, location: TemplateLocation, reason: string): TemplateError {
  return invalidTemplate(location, `The ${part}${at(location)} is not valid: ${withUsage(reason)}`);
}

/** A fault with a parameter's value (`The value for the template parameter 'p' at line … is not provided.`). */
export function invalidParameter(name: string, location: TemplateLocation, reason: string): TemplateError {
  return invalidTemplate(
    location,
    `The ${reason.replace("{parameter}", `template parameter '${name}'${at(location)}`)} ${USAGE.replace("arm-syntax", "arm-create-parameter-file")}`,
  );
}

/** A fault while evaluating a resource body or an output during the deployment. */
export function deploymentEvaluationFailed(what: string, location: TemplateLocation, reason: string): TemplateError {
  const message = `Unable to process template language expressions for ${what}${at(location)}. '${reason}'`;
  return new TemplateError("InvalidTemplateDeployment", message, location.path, location.line, location.column);
}

/** A template-level fault that is not about one place (`Circular dependency detected …`). */
export function templateFault(location: TemplateLocation | undefined, reason: string): TemplateError {
  return invalidTemplate(location, withUsage(reason));
}

function withUsage(reason: string): string {
  return /usage details\.$/.test(reason) ? reason : `${reason.replace(/\.?$/, ".")} ${USAGE}`;
}
