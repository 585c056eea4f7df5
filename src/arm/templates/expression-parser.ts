/**
 * ARM template language expressions: a JSON string `"[…]"` holds one expression (`"[[…"` is a literal string that
 * starts with `[`). An expression is a string literal (`'it''s'`), an integer, or a function call
 * `name(arg, …)` (names may hold dots, for user-defined `namespace.function`), each followed by any number of
 * property accesses `.name` and indexes `[expr]`. Parsing is linear; nesting is bounded by `maxDepth`.
 * Faults are `ExpressionError`s naming the character position, as ARM does.
 */
import { ExpressionError } from "./errors.ts";

export type Expr =
  | { kind: "string"; value: string; pos: number }
  | { kind: "number"; value: number; pos: number }
  | { kind: "call"; name: string; args: Expr[]; pos: number }
  | { kind: "property"; target: Expr; name: string; pos: number }
  | { kind: "index"; target: Expr; index: Expr; pos: number };

/** A JSON string is either plain text or an expression. */
export type TemplateString = { kind: "literal"; value: string } | { kind: "expression"; expr: Expr; text: string };

/** Classifies a template string: `[expr]` → expression, `[[…` → literal without the first `[`, else literal. */
export function parseTemplateString(value: string, maxDepth: number, maxLength: number): TemplateString {
  if (value.startsWith("[[")) return { kind: "literal", value: value.slice(1) };
  if (!(value.startsWith("[") && value.endsWith("]") && value.length >= 2)) return { kind: "literal", value };
  const text = value.slice(1, -1);
  if (text.length > maxLength) {
    throw new ExpressionError(`The template language expression exceeds the limit of '${maxLength}' characters.`);
  }
  return { kind: "expression", expr: parseExpression(text, maxDepth), text };
}

export function parseExpression(text: string, maxDepth: number): Expr {
  let i = 0;

  const fail = (what: string): never => {
    const shown = i < text.length ? `the character '${text[i]}'` : "the end of the expression";
    throw new ExpressionError(
      `The language expression '${text}' is not valid: ${shown} at position '${i}' is not expected${what ? `; ${what}` : ""}.`,
    );
  };
  const space = (): void => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const isIdentStart = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z_$]/.test(ch);
  const isIdentPart = (ch: string | undefined): boolean => ch !== undefined && /[\w$.]/.test(ch);

  const primary = (depth: number): Expr => {
    if (depth > maxDepth)
      throw new ExpressionError(`The language expression '${text}' nests deeper than the limit of '${maxDepth}' levels.`);
    space();
    const pos = i;
    const ch = text[i];
    if (ch === "'") {
      let out = "";
      i++;
      for (;;) {
        if (i >= text.length) {
          i = pos;
          return fail("the string literal is not closed");
        }
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          i++;
          return { kind: "string", value: out, pos };
        }
        out += text[i];
        i++;
      }
    }
    if (ch !== undefined && (/\d/.test(ch) || (ch === "-" && /\d/.test(text[i + 1] ?? "")))) {
      i++;
      while (i < text.length && /\d/.test(text[i]!)) i++;
      if (text[i] === "." && /\d/.test(text[i + 1] ?? "")) {
        i++;
        while (i < text.length && /\d/.test(text[i]!)) i++;
      }
      return { kind: "number", value: Number(text.slice(pos, i)), pos };
    }
    if (isIdentStart(ch)) {
      while (isIdentPart(text[i])) i++;
      const name = text.slice(pos, i);
      if (name.endsWith(".")) {
        i--;
        return fail("a function name cannot end with '.'");
      }
      space();
      if (text[i] !== "(") return fail("'(' is expected after the function name");
      i++;
      const args: Expr[] = [];
      space();
      if (text[i] === ")") {
        i++;
      } else {
        for (;;) {
          args.push(postfix(depth + 1));
          space();
          if (text[i] === ",") {
            i++;
            continue;
          }
          if (text[i] === ")") {
            i++;
            break;
          }
          return fail("',' or ')' is expected");
        }
      }
      return { kind: "call", name, args, pos };
    }
    return fail("");
  };

  const postfix = (depth: number): Expr => {
    let expr = primary(depth);
    for (;;) {
      space();
      const pos = i;
      if (text[i] === ".") {
        i++;
        space();
        const start = i;
        if (!isIdentStart(text[i])) return fail("a property name is expected after '.'");
        while (i < text.length && /[\w$]/.test(text[i]!)) i++;
        expr = { kind: "property", target: expr, name: text.slice(start, i), pos };
        continue;
      }
      if (text[i] === "[") {
        i++;
        const index = postfix(depth + 1);
        space();
        if (text[i] !== "]") return fail("']' is expected");
        i++;
        expr = { kind: "index", target: expr, index, pos };
        continue;
      }
      return expr;
    }
  };

  space();
  if (i >= text.length) throw new ExpressionError(`The language expression '${text}' is not valid: the expression is empty.`);
  const expr = postfix(0);
  space();
  if (i < text.length) fail("the expression has already ended");
  return expr;
}

/** Writes an expression back as text (without the brackets); parsing the result gives the same tree. */
export function printExpression(expr: Expr): string {
  switch (expr.kind) {
    case "string":
      return `'${expr.value.replaceAll("'", "''")}'`;
    case "number":
      return String(expr.value);
    case "call":
      return `${expr.name}(${expr.args.map(printExpression).join(", ")})`;
    case "property":
      return `${printExpression(expr.target)}.${expr.name}`;
    case "index":
      return `${printExpression(expr.target)}[${printExpression(expr.index)}]`;
  }
}

/** Every function call in an expression, outermost first. */
export function* calls(expr: Expr): Generator<Extract<Expr, { kind: "call" }>> {
  const stack: Expr[] = [expr];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.kind === "call") {
      yield e;
      for (let k = e.args.length - 1; k >= 0; k--) stack.push(e.args[k]!);
    } else if (e.kind === "property") {
      stack.push(e.target);
    } else if (e.kind === "index") {
      stack.push(e.index, e.target);
    }
  }
}
