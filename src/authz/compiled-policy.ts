import { parseScope } from "../core/scope.ts";
import { type CompiledDeny, type CompiledRole, compileDeny, compileRole, denyBlocks } from "./compile.ts";
import { type ParsedCondition, parseCondition, roleGuidOf } from "./conditions.ts";
import { type NormalizedOperation, normalizeOperation } from "./permission-match.ts";
import {
  allowedVerdict,
  assignmentGrant,
  deniedVerdict,
  exemptsFromDeniesBelow,
  isAuthorizationAction,
  principalSet,
  type RankedGrant,
  toDecision,
  type Verdict,
} from "./rules.ts";
import { createTwoLevelCache } from "./two-level-cache.ts";
import { createScopeChains, type ScopeChain } from "./scope-chains.ts";
import type { AccessEvaluator, AccessRequest, Decision, Policy, RoleAssignment } from "./types.ts";

/**
 * The evaluator for the hot path: the same decisions as `evaluate` (tests compare them on randomised inputs),
 * from an index of assignments by principal then scope key, precompiled roles and deny assignments, and a
 * bounded decision cache. The cache is dropped whenever a newer policy generation arrives.
 */

export interface Authorizer extends AccessEvaluator {
  /** The generation of the snapshot in use; a change feed bumps it on every RBAC write. */
  readonly generation: number;
  readonly cacheSize: number;
  /** Swaps in a newer snapshot; an older or equal generation (a late or repeated notification) is ignored. */
  update(snapshot: Policy, generation: number): boolean;
}

export interface AuthorizerOptions {
  generation?: number;
  /** Cache bound; on overflow the cache is cleared rather than evicted, which is cheap and good enough. */
  maxCacheEntries?: number;
}

const MAX_MEMO = 100_000;

interface IndexedAssignment {
  assignment: RoleAssignment;
  role: CompiledRole;
  condition: ParsedCondition | undefined;
}

interface PolicyIndex {
  /** principal id → scope key → assignments; only assignments with a valid scope and a known role. */
  byPrincipal: Map<string, Map<string, IndexedAssignment[]>>;
  /** scope key → deny assignments, ordered by id so the first blocking one matches the evaluator's choice. */
  denyByScope: Map<string, CompiledDeny[]>;
  groupsOf: ReadonlyMap<string, readonly string[]>;
  /** Per caller without extra groups: its principal set and the assignment maps of the ids that hold any. */
  callers: Map<string, CallerPrincipals>;
}

/** Who a caller is for this index: its principal ids (itself and its groups) and their assignments by scope. */
interface CallerPrincipals {
  principals: ReadonlySet<string>;
  assigned: readonly Map<string, IndexedAssignment[]>[];
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function buildIndex(policy: Policy): PolicyIndex {
  const byPrincipal = new Map<string, Map<string, IndexedAssignment[]>>();
  for (const assignment of policy.roleAssignments) {
    const scopeKey = parseScope(assignment.scope)?.key;
    const role = policy.roleDefinitions.get(assignment.roleDefinitionId.toLowerCase());
    if (scopeKey === undefined || !role) continue;
    const principal = assignment.principalId.toLowerCase();
    let byScope = byPrincipal.get(principal);
    if (!byScope) {
      byScope = new Map();
      byPrincipal.set(principal, byScope);
    }
    pushTo(byScope, scopeKey, { assignment, role: compileRole(role), condition: parseCondition(assignment.condition) });
  }
  const denyByScope = new Map<string, CompiledDeny[]>();
  for (const deny of policy.denyAssignments) {
    const scopeKey = parseScope(deny.scope)?.key;
    if (scopeKey !== undefined) pushTo(denyByScope, scopeKey, compileDeny(deny));
  }
  for (const list of denyByScope.values()) list.sort((a, b) => (a.deny.id < b.deny.id ? -1 : a.deny.id > b.deny.id ? 1 : 0));
  return { byPrincipal, denyByScope, groupsOf: policy.groupsOf, callers: new Map() };
}

/** Denies nearer than `exemptBelow` (the caller's highest Owner/User Access Administrator assignment) are skipped. */
function findDeny(
  index: PolicyIndex,
  chain: readonly string[],
  principals: ReadonlySet<string>,
  op: NormalizedOperation,
  exemptBelow: number,
) {
  for (let distance = Math.max(0, exemptBelow); distance < chain.length; distance++) {
    for (const deny of index.denyByScope.get(chain[distance]!) ?? []) {
      if (denyBlocks(deny, distance, principals, op)) return deny;
    }
  }
  return undefined;
}

/**
 * The caller's principal set and the assignment maps of those ids that hold any assignment. The common request
 * (no caller-passed groups) is memoised per principal for the life of the index: a member of 50 groups is then 50
 * fewer lookups per decision when, as usual, most of its groups hold nothing.
 */
function resolveCaller(index: PolicyIndex, request: AccessRequest): CallerPrincipals {
  const memoKey = request.groupIds.length === 0 ? request.principalId.toLowerCase() : undefined;
  const known = memoKey === undefined ? undefined : index.callers.get(memoKey);
  if (known) return known;
  const principals = principalSet(request, index.groupsOf);
  const assigned: Map<string, IndexedAssignment[]>[] = [];
  for (const principal of principals) {
    const byScope = index.byPrincipal.get(principal);
    if (byScope) assigned.push(byScope);
  }
  const caller = { principals, assigned };
  if (memoKey !== undefined) {
    if (index.callers.size >= MAX_MEMO) index.callers.clear();
    index.callers.set(memoKey, caller);
  }
  return caller;
}

function findGrants(chain: readonly string[], caller: CallerPrincipals, op: NormalizedOperation, request: AccessRequest) {
  const grants: RankedGrant[] = [];
  for (const byScope of caller.assigned) {
    for (let distance = 0; distance < chain.length; distance++) {
      const entries = byScope.get(chain[distance]!);
      if (!entries) continue;
      for (const entry of entries) {
        const grant = assignmentGrant(entry.assignment, entry.role, entry.condition, op, request.attributes);
        if (grant) grants.push({ grant, distance });
      }
    }
  }
  return grants;
}

/** The distance of the caller's highest Owner or User Access Administrator assignment on the chain, or -1. */
function highestExemptingAssignment(chain: readonly string[], caller: CallerPrincipals): number {
  for (let distance = chain.length - 1; distance >= 0; distance--) {
    for (const byScope of caller.assigned) {
      if (byScope.get(chain[distance]!)?.some((e) => exemptsFromDeniesBelow(e.assignment, e.condition))) return distance;
    }
  }
  return -1;
}

function computeVerdict(index: PolicyIndex, chain: readonly string[], op: NormalizedOperation, request: AccessRequest): Verdict {
  const caller = resolveCaller(index, request);
  const exemptBelow = index.denyByScope.size > 0 && isAuthorizationAction(op) ? highestExemptingAssignment(chain, caller) : -1;
  const deny = index.denyByScope.size === 0 ? undefined : findDeny(index, chain, caller.principals, op, exemptBelow);
  if (deny) return deniedVerdict("deny-assignment", op, request.attributes, deny.deny.id);
  const grants = findGrants(chain, caller, op, request);
  return grants.length > 0 ? allowedVerdict(grants) : deniedVerdict("no-matching-assignment", op, request.attributes);
}

/**
 * Everything but the scope a verdict depends on, case-folded as matching is (the scope key is the cache's second
 * level). NUL separates fields and SOH group ids (no id or action contains either), and the group count rules out
 * `[]` vs `[""]`: distinct requests cannot collide.
 */
function callerKey(request: AccessRequest, op: NormalizedOperation): string {
  const groups = request.groupIds.length === 0 ? "" : request.groupIds.map((g) => g.toLowerCase()).join("\u0001");
  return `${request.principalId.toLowerCase()}\u0000${request.groupIds.length}\u0000${groups}\u0000${op.kind}\u0000${op.name}\u0000${attributesKey(request, true)}`;
}

/**
 * The attributes a condition may read, each field marked present or absent (absent is "unknown" to a condition,
 * unlike an empty value); `normalise` folds them as conditions compare them.
 */
function attributesKey(request: AccessRequest, normalise: boolean): string {
  const a = request.attributes;
  if (a === undefined) return "";
  const field = (value: string | undefined, fold: (v: string) => string) =>
    value === undefined ? "-" : `+${normalise ? fold(value) : value}`;
  return [field(a.roleDefinitionId, roleGuidOf), field(a.principalId, (v) => v.toLowerCase()), field(a.principalType, (v) => v)].join(
    "\u0001",
  );
}

/**
 * The raw request as given but its scope (the front cache's second level): a repeat of the very same request
 * skips parsing and normalising. Same separators and group count as `callerKey`, so distinct requests cannot collide.
 */
function rawCallerKey(request: AccessRequest): string {
  const groups = request.groupIds.length === 0 ? "" : request.groupIds.join("\u0001");
  return `${request.principalId}\u0000${request.groupIds.length}\u0000${groups}\u0000${request.operation.kind}\u0000${request.operation.name}\u0000${attributesKey(request, false)}`;
}

function freezeDecision(decision: Decision): Decision {
  if (decision.kind === "denied") Object.freeze(decision.operation);
  return Object.freeze(decision);
}

export function createAuthorizer(snapshot: Policy, options: AuthorizerOptions = {}): Authorizer {
  const maxEntries = options.maxCacheEntries ?? 50_000;
  let index = buildIndex(snapshot);
  let generation = options.generation ?? 0;
  /** Verdicts by normalised request: case variants of one request share an entry. */
  const cache = createTwoLevelCache<Verdict>(maxEntries);
  /** Whole decisions by the request exactly as spelled (the echo in a denial is the caller's own spelling). */
  const front = createTwoLevelCache<Decision>(maxEntries);

  /** Parsed request scopes survive policy updates: a scope's chain does not depend on the policy. */
  const scopes = createScopeChains();

  function cachedVerdict({ scope, chain }: ScopeChain, op: NormalizedOperation, request: AccessRequest): Verdict {
    const key = callerKey(request, op);
    let verdict = cache.get(key, scope.key);
    if (!verdict) {
      verdict = computeVerdict(index, chain, op, request);
      cache.set(key, scope.key, verdict);
    }
    return verdict;
  }

  function decide(request: AccessRequest): Decision {
    const op = normalizeOperation(request.operation);
    const resolved = scopes.resolve(request.scope);
    if (!resolved) return toDecision(deniedVerdict("invalid-scope", op, request.attributes), request, request.scope);
    return toDecision(cachedVerdict(resolved, op, request), request, resolved.scope.id);
  }

  return {
    get generation() {
      return generation;
    },
    get cacheSize() {
      return cache.size;
    },
    evaluate(request: AccessRequest): Decision {
      const key = rawCallerKey(request);
      let decision = front.get(key, request.scope);
      if (!decision) {
        decision = freezeDecision(decide(request));
        front.set(key, request.scope, decision);
      }
      return decision;
    },
    update(next: Policy, nextGeneration: number): boolean {
      if (nextGeneration <= generation) return false;
      index = buildIndex(next);
      generation = nextGeneration;
      cache.clear();
      front.clear();
      return true;
    },
  };
}
