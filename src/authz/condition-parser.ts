import { isGuid } from "../core/ids.ts";
import { globMatcher } from "./permission-match.ts";

/**
 * Azure's role-assignment condition language (version 2.0), the part that constrains delegated role assignment
 * management: `ActionMatches{'…'}`, `@Request[…]` / `@Resource[…]` of the role assignment being written or deleted
 * (RoleDefinitionId, PrincipalId, PrincipalType), the Guid and String (Not)Equals functions with or without a
 * `ForAnyOfAnyValues:`-style quantifier, AND (`&&`), OR (`||`), NOT (`!`) and parentheses. As in Azure, AND and OR
 * may not be mixed at one level without parentheses. Anything else is a `ConditionError`: a condition Keyless
 * cannot evaluate is refused, never ignored.
 */

export type AttributeName = "roleDefinitionId" | "principalId" | "principalType";
type Quantifier = "anyOfAny" | "allOfAny" | "anyOfAll" | "allOfAll";
type ComparisonFunction = "equals" | "notEquals" | "equalsIgnoreCase" | "notEqualsIgnoreCase";

export type ConditionNode =
  | { kind: "and" | "or"; terms: readonly ConditionNode[] }
  | { kind: "not"; term: ConditionNode }
  | { kind: "actionMatches"; matches: (lowerName: string) => boolean }
  | { kind: "compare"; attribute: AttributeName; quantifier: Quantifier; fn: ComparisonFunction; values: readonly string[] };

export class ConditionError extends Error {}

/** Bounds that keep parsing linear and the recursion shallow, whatever a caller sends. */
const MAX_CONDITION_LENGTH = 8192;
const MAX_DEPTH = 32;

const ATTRIBUTES: Record<string, { name: AttributeName; type: "guid" | "string" }> = {
  "microsoft.authorization/roleassignments:roledefinitionid": { name: "roleDefinitionId", type: "guid" },
  "microsoft.authorization/roleassignments:principalid": { name: "principalId", type: "guid" },
  "microsoft.authorization/roleassignments:principaltype": { name: "principalType", type: "string" },
};
const FUNCTIONS: Record<string, { fn: ComparisonFunction; type: "guid" | "string" }> = {
  guidequals: { fn: "equals", type: "guid" },
  guidnotequals: { fn: "notEquals", type: "guid" },
  stringequals: { fn: "equals", type: "string" },
  stringnotequals: { fn: "notEquals", type: "string" },
  stringequalsignorecase: { fn: "equalsIgnoreCase", type: "string" },
  stringnotequalsignorecase: { fn: "notEqualsIgnoreCase", type: "string" },
};
const QUANTIFIERS: Record<string, Quantifier> = {
  foranyofanyvalues: "anyOfAny",
  forallofanyvalues: "allOfAny",
  foranyofallvalues: "anyOfAll",
  forallofallvalues: "allOfAll",
};

type Token =
  | { kind: "(" | ")" | "{" | "}" | "," | "and" | "or" | "not" }
  | { kind: "string" | "word"; text: string }
  | { kind: "attribute"; source: string; name: string };

const WORD = /[A-Za-z0-9_.:-]+/y;
const ATTRIBUTE = /@([A-Za-z]+)\[([^\]]*)\]/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) i++;
    else if ("(){},".includes(ch)) {
      tokens.push({ kind: ch as "(" });
      i++;
    } else if (text.startsWith("&&", i) || text.startsWith("||", i)) {
      tokens.push({ kind: ch === "&" ? "and" : "or" });
      i += 2;
    } else if (ch === "!") {
      tokens.push({ kind: "not" });
      i++;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ConditionError(`the string starting at position ${i} is not closed with '`);
      tokens.push({ kind: "string", text: text.slice(i + 1, end) });
      i = end + 1;
    } else if (ch === "@") {
      ATTRIBUTE.lastIndex = i;
      const m = ATTRIBUTE.exec(text);
      if (!m) throw new ConditionError(`an attribute at position ${i} is not of the form @Request[…] or @Resource[…]`);
      tokens.push({ kind: "attribute", source: m[1]!, name: m[2]!.trim() });
      i = ATTRIBUTE.lastIndex;
    } else {
      WORD.lastIndex = i;
      const m = WORD.exec(text);
      if (!m) throw new ConditionError(`unexpected character '${ch}' at position ${i}`);
      const upper = m[0].toUpperCase();
      if (upper === "AND" || upper === "OR" || upper === "NOT") tokens.push({ kind: upper.toLowerCase() as "and" });
      else tokens.push({ kind: "word", text: m[0] });
      i = WORD.lastIndex;
    }
  }
  return tokens;
}

/** Parses a condition into its expression tree, or throws a `ConditionError` that says what to change. */
export function parseConditionText(text: string): ConditionNode {
  if (text.length > MAX_CONDITION_LENGTH) throw new ConditionError(`it is longer than ${MAX_CONDITION_LENGTH} characters`);
  const tokens = tokenize(text);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const next = (what: string): Token => {
    const token = tokens[pos++];
    if (!token) throw new ConditionError(`it ends where ${what} was expected`);
    return token;
  };
  const expect = (kind: Token["kind"], what: string): Token => {
    const token = next(what);
    if (token.kind !== kind) throw new ConditionError(`${describe(token)} was found where ${what} was expected`);
    return token;
  };
  const enter = () => {
    if (++depth > MAX_DEPTH) throw new ConditionError(`it nests deeper than ${MAX_DEPTH} levels`);
  };

  function expression(): ConditionNode {
    const terms = [unary()];
    let op: "and" | "or" | undefined;
    for (let t = peek(); t?.kind === "and" || t?.kind === "or"; t = peek()) {
      if (op !== undefined && op !== t.kind) throw new ConditionError("it mixes AND and OR at one level; add parentheses to group them");
      op = t.kind;
      pos++;
      terms.push(unary());
    }
    return op === undefined ? terms[0]! : { kind: op, terms };
  }

  function unary(): ConditionNode {
    if (peek()?.kind !== "not") return primary();
    pos++;
    enter();
    const term = unary();
    depth--;
    return { kind: "not", term };
  }

  function primary(): ConditionNode {
    const token = next("an expression");
    if (token.kind === "(") {
      enter();
      const inner = expression();
      expect(")", "')'");
      depth--;
      return inner;
    }
    if (token.kind === "word" && token.text.toLowerCase() === "actionmatches") {
      expect("{", "'{' after ActionMatches");
      const action = expect("string", "a quoted action after ActionMatches{") as { text: string };
      expect("}", "'}' after the action");
      return { kind: "actionMatches", matches: globMatcher(action.text.trim()) };
    }
    if (token.kind === "attribute") return comparison(token);
    throw new ConditionError(`${describe(token)} is not an expression Keyless evaluates (use ActionMatches or an attribute comparison)`);
  }

  function comparison(token: { source: string; name: string }): ConditionNode {
    const source = token.source.toLowerCase();
    const attribute = ATTRIBUTES[token.name.toLowerCase()];
    if ((source !== "request" && source !== "resource") || !attribute) {
      throw new ConditionError(
        `the attribute @${token.source}[${token.name}] is not supported; use @Request or @Resource with ` +
          "Microsoft.Authorization/roleAssignments:RoleDefinitionId, :PrincipalId or :PrincipalType",
      );
    }
    const operator = expect("word", "an operator such as ForAnyOfAnyValues:GuidEquals") as { text: string };
    const [first, second] = operator.text.toLowerCase().split(":", 2) as [string, string | undefined];
    const quantifier = second === undefined ? undefined : QUANTIFIERS[first];
    const fn = FUNCTIONS[second ?? first];
    if ((second !== undefined && !quantifier) || !fn)
      throw new ConditionError(
        `the operator '${operator.text}' is not supported; use (ForAnyOfAnyValues:…)GuidEquals, StringEqualsIgnoreCase or their Not forms`,
      );
    if (fn.type !== attribute.type)
      throw new ConditionError(`the operator '${operator.text}' does not apply to ${token.name} (a ${attribute.type})`);
    const values = valueSet(attribute.type);
    if (!quantifier && values.length !== 1)
      throw new ConditionError(`'${operator.text}' compares with one value; use a ForAnyOfAnyValues:-style operator for a set`);
    return { kind: "compare", attribute: attribute.name, quantifier: quantifier ?? "anyOfAny", fn: fn.fn, values };
  }

  function valueSet(type: "guid" | "string"): string[] {
    if (peek()?.kind !== "{") return [value(type)];
    pos++;
    const values = [value(type)];
    while (peek()?.kind === ",") {
      pos++;
      values.push(value(type));
    }
    expect("}", "',' or '}' in the value set");
    return values;
  }

  function value(type: "guid" | "string"): string {
    const token = next("a value");
    if (type === "string") {
      if (token.kind !== "string") throw new ConditionError(`${describe(token)} was found where a quoted string was expected`);
      return token.text;
    }
    const text = token.kind === "word" || token.kind === "string" ? token.text.trim() : "";
    if (!isGuid(text)) throw new ConditionError(`${describe(token)} was found where a GUID was expected`);
    return text.toLowerCase();
  }

  const root = expression();
  if (pos < tokens.length) throw new ConditionError(`${describe(tokens[pos]!)} follows a complete expression`);
  return root;
}

function describe(token: Token): string {
  if (token.kind === "word") return `'${token.text}'`;
  if (token.kind === "string") return `the string '${token.text}'`;
  if (token.kind === "attribute") return `@${token.source}[${token.name}]`;
  return token.kind === "and" || token.kind === "or" || token.kind === "not" ? token.kind.toUpperCase() : `'${token.kind}'`;
}
