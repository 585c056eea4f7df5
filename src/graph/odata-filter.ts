import type { ListCondition } from "../core/list-query.ts";
import { graphError } from "./graph-errors.ts";

/**
 * A small, real parser for the OData `$filter` forms Graph clients send (the Azure CLI above all):
 * `prop eq 'v'`, `ne`, `startswith(prop,'v')`, `prop/any(c:c eq 'v')`, `prop in ('a','b')`, `and`, `or`, `not`,
 * parentheses, and the literals `'string'` (with `''` escapes), `true`, `false`, `null`. String comparison is
 * case-insensitive, as Graph's is for directory properties. Anything else is refused, never guessed at.
 */

type FilterValue = string | boolean | null;
type FieldKind = "string" | "boolean" | "strings";
/** The properties a collection can be filtered on, by their Graph names. */
export type FilterFields = Readonly<Record<string, FieldKind>>;

type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "compare"; op: "eq" | "ne"; field: string; value: FilterValue }
  | { kind: "in"; field: string; values: FilterValue[] }
  | { kind: "startswith"; field: string; prefix: string }
  | { kind: "any"; field: string; op: "eq" | "ne"; value: FilterValue }
  | { kind: "anyStartswith"; field: string; prefix: string };

type Token = { type: "ident" | "string" | "punct"; text: string; at: number };

/**
 * Bounds on one `$filter` (configuration settings): its length in characters, and how deep parentheses and
 * `not` may nest. The parser recurses once per level, so the depth bound is what keeps a hostile filter from
 * overflowing the stack; the length bound keeps the tokenizer's and the matcher's work small.
 */
export interface FilterLimits {
  maxLength: number;
  maxDepth: number;
}

const DEFAULT_FILTER_LIMITS: FilterLimits = { maxLength: 4096, maxDepth: 32 };

/** Parses `$filter` against the filterable properties of a collection. */
export function parseFilter(text: string, fields: FilterFields, limits: FilterLimits = DEFAULT_FILTER_LIMITS): FilterNode {
  if (text.length > limits.maxLength) {
    throw graphError(
      "Request_BadRequest",
      `Invalid filter clause: the filter is ${text.length} characters long; the limit is ${limits.maxLength}. Split the query into several smaller ones.`,
    );
  }
  const parser = new Parser(tokenize(text), fields, text, limits.maxDepth);
  const node = parser.expression();
  parser.expectEnd();
  return node;
}

/** Whether a Graph object (its JSON shape) satisfies the filter. */
export function matchesFilter(node: FilterNode, object: Readonly<Record<string, unknown>>): boolean {
  switch (node.kind) {
    case "and":
      return matchesFilter(node.left, object) && matchesFilter(node.right, object);
    case "or":
      return matchesFilter(node.left, object) || matchesFilter(node.right, object);
    case "not":
      return !matchesFilter(node.operand, object);
    case "compare":
      return equals(object[node.field], node.value) === (node.op === "eq");
    case "in":
      return node.values.some((v) => equals(object[node.field], v));
    case "startswith": {
      const value = object[node.field];
      return typeof value === "string" && value.toLowerCase().startsWith(node.prefix.toLowerCase());
    }
    case "any":
      return asStrings(object[node.field]).some((item) => equals(item, node.value) === (node.op === "eq"));
    case "anyStartswith":
      return asStrings(object[node.field]).some((item) => item.toLowerCase().startsWith(node.prefix.toLowerCase()));
  }
}

/**
 * The filter as a storage condition, when storage can evaluate every part of it with the same result as
 * `matchesFilter`: only fields in `sqlFields`, no lambdas, and ASCII string values only (SQLite's `lower()` folds
 * ASCII only, where `matchesFilter` folds all of Unicode). Otherwise undefined: the caller filters in memory.
 */
export function toListCondition(node: FilterNode, sqlFields: readonly string[]): ListCondition | undefined {
  const ascii = (value: FilterValue) => typeof value !== "string" || [...value].every((c) => c.charCodeAt(0) < 128);
  const sqlField = (field: string) => sqlFields.includes(field);
  switch (node.kind) {
    case "and":
    case "or": {
      const left = toListCondition(node.left, sqlFields);
      const right = left && toListCondition(node.right, sqlFields);
      return left && right && { kind: node.kind, left, right };
    }
    case "not": {
      const operand = toListCondition(node.operand, sqlFields);
      return operand && { kind: "not", operand };
    }
    case "compare": {
      if (!sqlField(node.field) || !ascii(node.value)) return undefined;
      const eq: ListCondition = { kind: "eq", field: node.field, value: node.value };
      return node.op === "eq" ? eq : { kind: "not", operand: eq };
    }
    case "in": {
      if (!sqlField(node.field) || !node.values.every(ascii)) return undefined;
      return node.values
        .map((value): ListCondition => ({ kind: "eq", field: node.field, value }))
        .reduce((left, right) => ({ kind: "or", left, right }));
    }
    case "startswith":
      return sqlField(node.field) && ascii(node.prefix) ? { kind: "startswith", field: node.field, prefix: node.prefix } : undefined;
    case "any":
    case "anyStartswith":
      return undefined;
  }
}

function equals(actual: unknown, expected: FilterValue): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (typeof expected === "string") return typeof actual === "string" && actual.toLowerCase() === expected.toLowerCase();
  return actual === expected;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ("(),:/".includes(c)) {
      tokens.push({ type: "punct", text: c, at: i++ });
    } else if (c === "'") {
      const start = i++;
      let value = "";
      for (;;) {
        if (i >= text.length) throw invalid(text, start, "an unterminated string literal");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ type: "string", text: value, at: start });
    } else if (/[A-Za-z_$]/.test(c)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_.$]/.test(text[i]!)) i++;
      tokens.push({ type: "ident", text: text.slice(start, i), at: start });
    } else {
      throw invalid(text, i, `the character '${c}'`);
    }
  }
  return tokens;
}

function invalid(text: string, at: number, what: string) {
  return graphError("Request_BadRequest", `Invalid filter clause: unexpected ${what} at position ${at} in '${text}'.`);
}

class Parser {
  private position = 0;
  private depth = 0;
  private readonly tokens: Token[];
  private readonly fields: FilterFields;
  private readonly text: string;
  private readonly maxDepth: number;

  constructor(tokens: Token[], fields: FilterFields, text: string, maxDepth: number) {
    this.tokens = tokens;
    this.fields = fields;
    this.text = text;
    this.maxDepth = maxDepth;
  }

  expression(): FilterNode {
    let left = this.conjunction();
    while (this.keyword("or")) left = { kind: "or", left, right: this.conjunction() };
    return left;
  }

  expectEnd(): void {
    const extra = this.tokens[this.position];
    if (extra) throw invalid(this.text, extra.at, `'${extra.text}'`);
  }

  private conjunction(): FilterNode {
    let left = this.unary();
    while (this.keyword("and")) left = { kind: "and", left, right: this.unary() };
    return left;
  }

  private unary(): FilterNode {
    if (this.keyword("not")) return this.nested(() => ({ kind: "not", operand: this.unary() }));
    if (this.punct("(")) {
      const inner = this.nested(() => this.expression());
      this.expectPunct(")");
      return inner;
    }
    const name = this.ident();
    if (name.toLowerCase() === "startswith" && this.punct("(")) {
      const field = this.field(this.ident(), "string");
      this.expectPunct(",");
      const prefix = this.stringLiteral();
      this.expectPunct(")");
      return { kind: "startswith", field, prefix };
    }
    if (this.punct("(")) throw unsupported(`the function '${name}'`);
    if (this.punct("/")) return this.lambda(name);
    const field = this.field(name);
    if (this.keyword("in")) return { kind: "in", field, values: this.list() };
    const op = this.comparison();
    return { kind: "compare", op, field, value: this.literal() };
  }

  /** One more level of `not` or parentheses, refused past the depth bound before recursing. */
  private nested(parse: () => FilterNode): FilterNode {
    if (++this.depth > this.maxDepth) {
      throw graphError(
        "Request_BadRequest",
        `Invalid filter clause: parentheses and 'not' nest deeper than ${this.maxDepth} levels. Simplify the filter.`,
      );
    }
    const node = parse();
    this.depth--;
    return node;
  }

  /** `field/any(x: x eq 'v')` or `field/any(x: startswith(x,'v'))`. */
  private lambda(name: string): FilterNode {
    const operator = this.ident();
    if (operator.toLowerCase() !== "any") throw unsupported(`the lambda operator '${operator}'`);
    const field = this.field(name, "strings");
    this.expectPunct("(");
    const variable = this.ident();
    this.expectPunct(":");
    const first = this.ident();
    if (first.toLowerCase() === "startswith" && this.punct("(")) {
      this.expectVariable(variable);
      this.expectPunct(",");
      const prefix = this.stringLiteral();
      this.expectPunct(")");
      this.expectPunct(")");
      return { kind: "anyStartswith", field, prefix };
    }
    if (first !== variable) throw unsupported(`'${first}' inside any(); only the range variable '${variable}' can be compared`);
    const op = this.comparison();
    const value = this.literal();
    this.expectPunct(")");
    return { kind: "any", field, op, value };
  }

  private field(name: string, want?: FieldKind): string {
    const match = Object.keys(this.fields).find((f) => f.toLowerCase() === name.toLowerCase());
    if (!match) throw unsupported(`filtering on the property '${name}'`);
    const kind = this.fields[match]!;
    if (want && kind !== want)
      throw unsupported(want === "strings" ? `a lambda on '${match}', which is not a collection` : `startswith on '${match}'`);
    if (!want && kind === "strings") throw unsupported(`comparing the collection '${match}' directly; use ${match}/any(x:x eq '...')`);
    return match;
  }

  private comparison(): "eq" | "ne" {
    const token = this.tokens[this.position];
    const op = this.ident().toLowerCase();
    if (op === "eq" || op === "ne") return op;
    throw unsupported(`the operator '${token?.text}'`);
  }

  private list(): FilterValue[] {
    this.expectPunct("(");
    const values = [this.literal()];
    while (this.punct(",")) values.push(this.literal());
    this.expectPunct(")");
    return values;
  }

  private literal(): FilterValue {
    const token = this.tokens[this.position];
    if (token?.type === "string") {
      this.position++;
      return token.text;
    }
    if (token?.type === "ident" && ["true", "false", "null"].includes(token.text)) {
      this.position++;
      return token.text === "null" ? null : token.text === "true";
    }
    throw token
      ? invalid(this.text, token.at, `'${token.text}' where a literal was expected`)
      : invalid(this.text, this.text.length, "end of input where a literal was expected");
  }

  private stringLiteral(): string {
    const value = this.literal();
    if (typeof value !== "string") throw unsupported("startswith with a non-string value");
    return value;
  }

  private ident(): string {
    const token = this.tokens[this.position];
    if (token?.type !== "ident")
      throw token ? invalid(this.text, token.at, `'${token.text}'`) : invalid(this.text, this.text.length, "end of input");
    this.position++;
    return token.text;
  }

  private expectVariable(variable: string): void {
    const name = this.ident();
    if (name !== variable) throw unsupported(`'${name}' inside any(); only the range variable '${variable}' can be used`);
  }

  private keyword(word: string): boolean {
    const token = this.tokens[this.position];
    if (token?.type === "ident" && token.text.toLowerCase() === word) {
      this.position++;
      return true;
    }
    return false;
  }

  private punct(p: string): boolean {
    const token = this.tokens[this.position];
    if (token?.type === "punct" && token.text === p) {
      this.position++;
      return true;
    }
    return false;
  }

  private expectPunct(p: string): void {
    if (!this.punct(p)) {
      const token = this.tokens[this.position];
      throw token
        ? invalid(this.text, token.at, `'${token.text}' where '${p}' was expected`)
        : invalid(this.text, this.text.length, `end of input where '${p}' was expected`);
    }
  }
}

function unsupported(what: string) {
  return graphError("Request_UnsupportedQuery", `Unsupported query: ${what} is not supported.`);
}
