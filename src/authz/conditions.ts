import { type AttributeName, type ConditionNode, ConditionError, parseConditionText } from "./condition-parser.ts";
import type { NormalizedOperation } from "./permission-match.ts";
import type { AccessRequest, AssignmentAttributes } from "./types.ts";

/**
 * ABAC conditions on role assignments (and on the permission blocks of the Foundry delegation roles), in Azure's
 * condition language as `condition-parser.ts` reads it. Evaluation is three-valued: an attribute the request does
 * not carry (a condition reading the assigned role while the operation is not a role assignment write or delete)
 * is *unknown*, unknown survives NOT, and only a condition that is definitely true lets the operation through.
 * A condition that does not parse is `unsupported` and never grants (fail closed); writes refuse it up front.
 */

export type ParsedCondition = { kind: "expression"; root: ConditionNode } | { kind: "unsupported"; text: string; reason: string };

/** Parses a condition string; `undefined` when there is no condition at all (absent, null or blank). */
export function parseCondition(text: string | null | undefined): ParsedCondition | undefined {
  if (text === undefined || text === null || text.trim() === "") return undefined;
  try {
    return { kind: "expression", root: parseConditionText(text) };
  } catch (err) {
    if (err instanceof ConditionError) return { kind: "unsupported", text, reason: err.message };
    throw err;
  }
}

/** Why Keyless cannot evaluate a condition, or undefined when it can: what a write answers with 400 InvalidCondition. */
export function conditionProblem(text: string): string | undefined {
  if (text.trim() === "") return "it is empty";
  const parsed = parseCondition(text);
  return parsed?.kind === "unsupported" ? parsed.reason : undefined;
}

/** The GUID of a role id given as a GUID or as a full `.../roleDefinitions/{guid}` ARM id, lower-cased. */
export function roleGuidOf(roleDefinitionId: string): string {
  return roleDefinitionId
    .slice(roleDefinitionId.lastIndexOf("/") + 1)
    .trim()
    .toLowerCase();
}

/** Whether a condition lets `op` through, given the attributes of the role assignment it writes or deletes. */
export function conditionAllows(condition: ParsedCondition, op: NormalizedOperation, attributes: AccessRequest["attributes"]): boolean {
  if (condition.kind === "unsupported") return false;
  return evaluateNode(condition.root, op, attributes) === true;
}

/** true, false, or undefined for unknown (Kleene's three-valued logic). */
type Truth = boolean | undefined;

function evaluateNode(node: ConditionNode, op: NormalizedOperation, attributes: AssignmentAttributes | undefined): Truth {
  switch (node.kind) {
    case "and":
    case "or": {
      const decisive = node.kind === "or";
      let unknown = false;
      for (const term of node.terms) {
        const value = evaluateNode(term, op, attributes);
        if (value === decisive) return decisive;
        if (value === undefined) unknown = true;
      }
      return unknown ? undefined : !decisive;
    }
    case "not": {
      const value = evaluateNode(node.term, op, attributes);
      return value === undefined ? undefined : !value;
    }
    case "actionMatches":
      return node.matches(op.name);
    case "compare":
      return compare(node, attributeValue(node.attribute, attributes));
  }
}

function attributeValue(name: AttributeName, attributes: AssignmentAttributes | undefined): string | undefined {
  const raw = attributes?.[name];
  if (raw === undefined) return undefined;
  return name === "roleDefinitionId" ? roleGuidOf(raw) : name === "principalId" ? raw.toLowerCase() : raw;
}

function compare(node: ConditionNode & { kind: "compare" }, left: string | undefined): Truth {
  if (left === undefined) return undefined;
  const test = (right: string): boolean => {
    switch (node.fn) {
      case "equals":
        return left === right;
      case "notEquals":
        return left !== right;
      case "equalsIgnoreCase":
        return left.toLowerCase() === right.toLowerCase();
      case "notEqualsIgnoreCase":
        return left.toLowerCase() !== right.toLowerCase();
    }
  };
  // Every attribute modelled is single-valued, so "any of" and "all of" the left-hand side coincide.
  return node.quantifier === "anyOfAny" || node.quantifier === "allOfAny" ? node.values.some(test) : node.values.every(test);
}
