/**
 * JSON with comments, as Azure Resource Manager reads a deployment body. `az deployment … create` (2.45) splices
 * the template file's raw text into the body after an unquoted key (`…, template:{…}}}`), comments included, so
 * the deployment routes accept: `//` and `/* *\/` comments, unquoted identifier keys, and trailing commas. Linear,
 * iterative over nesting (the caller has already bounded the depth); `__proto__` keys are refused.
 */
export class JsoncError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`${message} at line ${line}, column ${column}.`);
    this.line = line;
    this.column = column;
  }
}

export function parseJsonc(text: string): unknown {
  return parseJsoncKeepingText(text, []).value;
}

/**
 * Parses like `parseJsonc`, and also returns the exact text of the object or array at `path` (property names,
 * matched without case), e.g. `["properties", "template"]`: a template's own text, so its faults can be placed by
 * line and column as in the file the client read.
 */
export function parseJsoncKeepingText(text: string, path: readonly string[]): { value: unknown; text: string | undefined } {
  const target = path.map((p) => p.toLowerCase());
  let captured: string | undefined;
  let i = 0;
  const fail = (message: string): never => {
    const before = text.slice(0, i);
    const line = before.split("\n").length;
    throw new JsoncError(message, line, i - before.lastIndexOf("\n"));
  };
  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\uFEFF") i++;
      else if (c === "/" && text[i + 1] === "/") {
        const end = text.indexOf("\n", i);
        i = end < 0 ? text.length : end + 1;
      } else if (c === "/" && text[i + 1] === "*") {
        const end = text.indexOf("*/", i + 2);
        if (end < 0) fail("Unterminated comment");
        i = end + 2;
      } else return;
    }
  };
  const string = (): string => {
    const start = i;
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail("Unterminated string");
      if (c === "\\") i += 2;
      else if (c === '"') break;
      else i++;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail("Invalid string");
    }
  };
  const key = (): string => {
    if (text[i] === '"') return string();
    const m = /^[A-Za-z_$][\w$]*/.exec(text.slice(i, i + 256));
    if (!m) fail("Expected a property name");
    i += m![0].length;
    return m![0];
  };
  const scalar = (): unknown => {
    const c = text[i];
    if (c === '"') return string();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail("Unexpected character");
    i += m![0].length;
    return JSON.parse(m![0]) as unknown;
  };

  // An explicit stack of open containers keeps deep input off the call stack.
  type Frame = ({ kind: "object"; value: Record<string, unknown>; key?: string } | { kind: "array"; value: unknown[] }) & {
    start: number;
    /** Whether this container sits at `path`. */
    wanted: boolean;
  };
  const stack: Frame[] = [];
  let result: unknown;
  let done = false;
  const place = (value: unknown) => {
    const top = stack[stack.length - 1];
    if (!top) {
      result = value;
      done = true;
    } else if (top.kind === "array") top.value.push(value);
    else {
      Object.defineProperty(top.value, top.key!, { value, enumerable: true, writable: true, configurable: true });
    }
  };
  const atTarget = (): boolean =>
    target.length > 0 && stack.length === target.length && stack.every((f, d) => f.kind === "object" && f.key?.toLowerCase() === target[d]);
  const open = (): boolean => {
    skip();
    const c = text[i];
    if (c === "{") {
      stack.push({ kind: "object", value: {}, start: i, wanted: atTarget() });
      i++;
      return true;
    }
    if (c === "[") {
      stack.push({ kind: "array", value: [], start: i, wanted: atTarget() });
      i++;
      return true;
    }
    place(scalar());
    return false;
  };
  // Reads the next member of the top container (or closes it); returns false when the whole value is done.
  open();
  while (!done) {
    const top = stack[stack.length - 1]!;
    skip();
    const empty = top.kind === "array" ? top.value.length === 0 : Object.keys(top.value).length === 0 && top.key === undefined;
    const close = top.kind === "array" ? "]" : "}";
    if (text[i] === close) {
      i++;
      stack.pop();
      if (top.wanted) captured = text.slice(top.start, i);
      place(top.value);
      continue;
    }
    if (!empty) {
      if (text[i] !== ",") fail(`Expected ',' or '${close}'`);
      i++;
      skip();
      if (text[i] === close) continue; // a trailing comma
    }
    if (top.kind === "object") {
      const k = key();
      if (k === "__proto__") fail("The property name '__proto__' is not allowed");
      skip();
      if (text[i] !== ":") fail("Expected ':'");
      i++;
      top.key = k;
    }
    open();
  }
  skip();
  if (i < text.length) fail("Unexpected text after the value");
  return { value: result, text: captured };
}
