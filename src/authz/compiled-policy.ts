import { parseScope } from "../core/scope.ts";
import { builtInRoleById } from "./builtin-roles.ts";
import { type CompiledDeny, compileDeny, compileRole, denyBlocks } from "./compile.ts";
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
import { createPolicy } from "./policy.ts";
import { createTwoLevelCache } from "./two-level-cache.ts";
import { createScopeChains, type ScopeChain } from "./scope-chains.ts";
import { createMembershipGraph, lowerId, type MembershipGraph } from "./memberships.ts";
import type { AccessEvaluator, AccessRequest, Decision, DenyAssignment, Policy, RoleAssignment, RoleDefinition } from "./types.ts";

/**
 * The evaluator for the hot path: the same decisions as `evaluate` (tests compare them on randomised inputs),
 * from an index of assignments by principal (each matched against the request's scope chain), precompiled roles and deny assignments, and a
 * bounded decision cache. Changes are applied to the indexes in place (`apply`), so a change costs what it touches,
 * not the size of the policy; the caches are dropped whenever a newer generation arrives.
 */

export interface Authorizer extends AccessEvaluator {
  /** The change number of the policy in use; the change feed moves it on every RBAC or membership write. */
  readonly generation: number;
  readonly cacheSize: number;
  /** The policy as the authorizer holds it now (for listings and explanations, never for decisions). */
  readonly policy: Policy;
  /** Swaps in a whole newer snapshot; an older or equal generation (a late or repeated notification) is ignored. */
  update(snapshot: Policy, generation: number): boolean;
  /**
   * Applies changes in order to the indexes in place and moves to `generation`; an older or equal generation is
   * ignored. Each delta carries its whole new value, so applying one whose effect is already held changes nothing.
   */
  apply(deltas: readonly PolicyDelta[], generation: number): boolean;
  /**
   * Swaps in the index a `PolicyBuilder` has filled (a full reload that streamed its rows in, holding no list of
   * them); an older or equal generation is ignored, like `update`.
   */
  install(builder: PolicyBuilder, generation: number): boolean;
}

/**
 * A new index filled a row at a time: a full reload puts each row in as it arrives, so no intermediate list of
 * every assignment or edge is held beside the index (at 100k assignments that list and its strings were tens of
 * MB of garbage per reload, most of it promoted to the old generation before it died). Built-in roles are in from
 * the start; put assignments before memberships, so a member that also holds assignments shares its id's copy.
 */
export interface PolicyBuilder {
  assignment(assignment: RoleAssignment): void;
  role(role: RoleDefinition): void;
  deny(deny: DenyAssignment): void;
  membership(groupId: string, memberId: string): void;
}

/** One change to the policy (`storage/change-feed.ts` records them; the live policy converts them). */
export type PolicyDelta =
  | { kind: "assignment.put"; assignment: RoleAssignment }
  | { kind: "assignment.delete"; id: string }
  | { kind: "role.put"; role: RoleDefinition }
  | { kind: "role.delete"; id: string }
  | { kind: "deny.put"; deny: DenyAssignment }
  | { kind: "deny.delete"; id: string }
  | { kind: "membership.add"; groupId: string; memberId: string }
  | { kind: "membership.remove"; groupId: string; memberId: string }
  | { kind: "object.delete"; id: string };

interface AuthorizerOptions {
  generation?: number;
  /** Cache bound; on overflow the cache is cleared rather than evicted, which is cheap and good enough. */
  maxCacheEntries?: number;
}

const MAX_MEMO = 100_000;

/**
 * One assignment as the index holds it: the fields decisions read (principal and role id lower-case, no
 * description), its scope key and its parsed condition, in one object per assignment.
 */
interface IndexedAssignment extends RoleAssignment {
  readonly scopeKey: string;
  readonly parsedCondition: ParsedCondition | undefined;
}

/**
 * The policy as mutable indexes. Roles are looked up per decision by GUID (compiled once per definition), so a
 * custom role replaced in place changes what its assignments grant without touching them.
 */
interface PolicyIndex {
  /** lower-case role GUID → definition: built-in roles and custom roles. */
  roles: Map<string, RoleDefinition>;
  /** lower-case assignment id → entry; assignments whose scope does not parse are not held. */
  assignments: Map<string, IndexedAssignment>;
  /**
   * lower-case principal id → its assignment, or its assignments from the second (a principal holds few, most one;
   * decisions match their scope keys).
   */
  byPrincipal: Map<string, IndexedAssignment | IndexedAssignment[]>;
  /** lower-case deny id → compiled deny (with its scope key). */
  denies: Map<string, { compiled: CompiledDeny; scopeKey: string }>;
  /** scope key → deny assignments, ordered by id so the first blocking one matches the evaluator's choice. */
  denyByScope: Map<string, CompiledDeny[]>;
  groups: MembershipGraph;
  /** Per caller without extra groups: its principal set and the assignment maps of the ids that hold any. */
  callers: Map<string, CallerPrincipals>;
  /**
   * One copy of each scope, scope key, role id and principal type the assignments repeat (many assignments share
   * a resource group and a handful of roles): a string read from storage is otherwise a copy per row.
   */
  strings: Map<string, string>;
  /** Scope as spelled → its key (null: not a scope). */
  scopeKeys: Map<string, string | null>;
}

function intern(index: PolicyIndex, value: string): string {
  const known = index.strings.get(value);
  if (known !== undefined) return known;
  index.strings.set(value, value);
  return value;
}

/** Who a caller is for this index: its principal ids (itself and its groups) and their assignments. */
interface CallerPrincipals {
  principals: ReadonlySet<string>;
  assigned: readonly IndexedAssignment[];
}

const byId = (a: CompiledDeny, b: CompiledDeny) => (a.deny.id < b.deny.id ? -1 : a.deny.id > b.deny.id ? 1 : 0);

/** The key of a scope as spelled, parsed once per spelling (assignments repeat few scopes many times). */
function scopeKeyOf(index: PolicyIndex, scope: string): string | undefined {
  const known = index.scopeKeys.get(scope);
  if (known !== undefined) return known ?? undefined;
  const key = parseScope(scope)?.key;
  index.scopeKeys.set(intern(index, scope), key === undefined ? null : intern(index, key));
  return key === undefined ? undefined : index.strings.get(key);
}

function putAssignment(index: PolicyIndex, assignment: RoleAssignment): void {
  const scopeKey = scopeKeyOf(index, assignment.scope);
  deleteAssignment(index, assignment.id);
  if (scopeKey === undefined) return;
  const entry: IndexedAssignment = {
    id: assignment.id,
    scope: intern(index, assignment.scope),
    roleDefinitionId: intern(index, assignment.roleDefinitionId.toLowerCase()),
    principalId: lowerId(assignment.principalId),
    principalType: intern(index, assignment.principalType) as RoleAssignment["principalType"],
    condition: assignment.condition ?? null,
    scopeKey: intern(index, scopeKey),
    parsedCondition: parseCondition(assignment.condition),
  };
  index.assignments.set(lowerId(assignment.id), entry);
  const held = index.byPrincipal.get(entry.principalId);
  if (held === undefined) index.byPrincipal.set(entry.principalId, entry);
  else if (Array.isArray(held)) held.push(entry);
  else index.byPrincipal.set(entry.principalId, [held, entry]);
}

function deleteAssignment(index: PolicyIndex, id: string): void {
  const key = lowerId(id);
  const entry = index.assignments.get(key);
  if (!entry) return;
  index.assignments.delete(key);
  const held = index.byPrincipal.get(entry.principalId)!;
  if (!Array.isArray(held)) {
    index.byPrincipal.delete(entry.principalId);
    return;
  }
  held.splice(held.indexOf(entry), 1);
  if (held.length === 1) index.byPrincipal.set(entry.principalId, held[0]!);
}

function putDeny(index: PolicyIndex, deny: DenyAssignment): void {
  deleteDeny(index, deny.id);
  const scopeKey = parseScope(deny.scope)?.key;
  if (scopeKey === undefined) return;
  const compiled = compileDeny(deny);
  index.denies.set(deny.id.toLowerCase(), { compiled, scopeKey });
  const list = index.denyByScope.get(scopeKey);
  if (list) {
    list.push(compiled);
    list.sort(byId);
  } else index.denyByScope.set(scopeKey, [compiled]);
}

function deleteDeny(index: PolicyIndex, id: string): void {
  const key = id.toLowerCase();
  const held = index.denies.get(key);
  if (!held) return;
  index.denies.delete(key);
  const list = index.denyByScope.get(held.scopeKey)!;
  list.splice(list.indexOf(held.compiled), 1);
  if (list.length === 0) index.denyByScope.delete(held.scopeKey);
}

/** Built-in roles are fixed: a delta never replaces or removes one (storage refuses such writes anyway). */
function putRole(index: PolicyIndex, role: RoleDefinition): void {
  const key = role.id.toLowerCase();
  if (builtInRoleById(key)) return;
  index.roles.set(key, role);
}

function deleteRole(index: PolicyIndex, id: string): void {
  const key = id.toLowerCase();
  if (!builtInRoleById(key)) index.roles.delete(key);
}

function applyDelta(index: PolicyIndex, delta: PolicyDelta): void {
  switch (delta.kind) {
    case "assignment.put":
      putAssignment(index, delta.assignment);
      return;
    case "assignment.delete":
      deleteAssignment(index, delta.id);
      return;
    case "role.put":
      putRole(index, delta.role);
      return;
    case "role.delete":
      deleteRole(index, delta.id);
      return;
    case "deny.put":
      putDeny(index, delta.deny);
      return;
    case "deny.delete":
      deleteDeny(index, delta.id);
      return;
    case "membership.add":
      index.groups.add(delta.groupId, delta.memberId);
      return;
    case "membership.remove":
      index.groups.remove(delta.groupId, delta.memberId);
      return;
    case "object.delete":
      index.groups.dropObject(delta.id);
      return;
  }
}

function emptyIndex(roles: ReadonlyMap<string, RoleDefinition>): PolicyIndex {
  const index: PolicyIndex = {
    roles: new Map(roles),
    assignments: new Map(),
    byPrincipal: new Map(),
    denies: new Map(),
    denyByScope: new Map(),
    groups: createMembershipGraph([], { knownId: (id) => principalIdHeld(index, id) }),
    callers: new Map(),
    strings: new Map(),
    scopeKeys: new Map(),
  };
  return index;
}

/** The copy of a principal id the index already holds for its assignments, if any. */
function principalIdHeld(index: PolicyIndex, id: string): string | undefined {
  const held = index.byPrincipal.get(id);
  if (held === undefined) return undefined;
  return Array.isArray(held) ? held[0]?.principalId : held.principalId;
}

/** Builders handed out by `createPolicyBuilder`, and the index each fills. */
const builtIndexes = new WeakMap<PolicyBuilder, PolicyIndex>();

export function createPolicyBuilder(): PolicyBuilder {
  const index = emptyIndex(createPolicy({}).roleDefinitions);
  const builder: PolicyBuilder = {
    assignment: (assignment) => putAssignment(index, assignment),
    role: (role) => putRole(index, role),
    deny: (deny) => putDeny(index, deny),
    membership: (groupId, memberId) => index.groups.add(groupId, memberId),
  };
  builtIndexes.set(builder, index);
  return builder;
}

function buildIndex(policy: Policy): PolicyIndex {
  const index = emptyIndex(policy.roleDefinitions);
  for (const assignment of policy.roleAssignments) putAssignment(index, assignment);
  for (const deny of policy.denyAssignments) putDeny(index, deny);
  // A snapshot holds transitive groups, not edges: each member's closure becomes its direct edges, which
  // answers the same transitive groups.
  if (isMembershipGraph(policy.groupsOf)) {
    // A graph handed over (the live policy's full reload) is adopted, not copied.
    index.groups = policy.groupsOf;
  } else if (policy.groupsOf instanceof Map) {
    for (const [member, groups] of policy.groupsOf as ReadonlyMap<string, readonly string[]>) {
      for (const group of groups) index.groups.add(group, member);
    }
  }
  return index;
}

function isMembershipGraph(lookup: Policy["groupsOf"]): lookup is MembershipGraph {
  return typeof (lookup as Partial<MembershipGraph>).edges === "function";
}

/** The index seen as a `Policy` (listings walk its values; nothing here is on the decision path). */
function policyView(index: PolicyIndex): Policy {
  return {
    roleDefinitions: index.roles,
    get roleAssignments() {
      return Array.from(index.assignments.values());
    },
    get denyAssignments() {
      return Array.from(index.denies.values(), (d) => d.compiled.deny);
    },
    groupsOf: index.groups,
  };
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
  const principals = principalSet(request, index.groups);
  const assigned: IndexedAssignment[] = [];
  for (const principal of principals) {
    const held = index.byPrincipal.get(principal);
    if (held === undefined) continue;
    if (Array.isArray(held)) assigned.push(...held);
    else assigned.push(held);
  }
  const caller = { principals, assigned };
  if (memoKey !== undefined) {
    if (index.callers.size >= MAX_MEMO) index.callers.clear();
    index.callers.set(memoKey, caller);
  }
  return caller;
}

function findGrants(
  roles: ReadonlyMap<string, RoleDefinition>,
  chain: readonly string[],
  caller: CallerPrincipals,
  op: NormalizedOperation,
  request: AccessRequest,
) {
  const grants: RankedGrant[] = [];
  for (const entry of caller.assigned) {
    const distance = chain.indexOf(entry.scopeKey);
    if (distance < 0) continue;
    const role = roles.get(entry.roleDefinitionId);
    if (!role) continue;
    const grant = assignmentGrant(entry, compileRole(role), entry.parsedCondition, op, request.attributes);
    if (grant) grants.push({ grant, distance });
  }
  return grants;
}

/** The distance of the caller's highest Owner or User Access Administrator assignment on the chain, or -1. */
function highestExemptingAssignment(
  roles: ReadonlyMap<string, RoleDefinition>,
  chain: readonly string[],
  caller: CallerPrincipals,
): number {
  let highest = -1;
  for (const entry of caller.assigned) {
    const distance = chain.indexOf(entry.scopeKey);
    if (distance > highest && roles.has(entry.roleDefinitionId) && exemptsFromDeniesBelow(entry, entry.parsedCondition)) highest = distance;
  }
  return highest;
}

function computeVerdict(index: PolicyIndex, chain: readonly string[], op: NormalizedOperation, request: AccessRequest): Verdict {
  const caller = resolveCaller(index, request);
  const exemptBelow = index.denyByScope.size > 0 && isAuthorizationAction(op) ? highestExemptingAssignment(index.roles, chain, caller) : -1;
  const deny = index.denyByScope.size === 0 ? undefined : findDeny(index, chain, caller.principals, op, exemptBelow);
  if (deny) return deniedVerdict("deny-assignment", op, request.attributes, deny.deny.id);
  const grants = findGrants(index.roles, chain, caller, op, request);
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
  let view = policyView(index);
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
    get policy() {
      return view;
    },
    update(next: Policy, nextGeneration: number): boolean {
      if (nextGeneration <= generation) return false;
      index = buildIndex(next);
      view = policyView(index);
      generation = nextGeneration;
      cache.clear();
      front.clear();
      return true;
    },
    install(builder: PolicyBuilder, nextGeneration: number): boolean {
      const built = builtIndexes.get(builder);
      if (!built) throw new Error("install takes a builder from createPolicyBuilder");
      if (nextGeneration <= generation) return false;
      builtIndexes.delete(builder);
      index = built;
      view = policyView(index);
      generation = nextGeneration;
      cache.clear();
      front.clear();
      return true;
    },
    apply(deltas: readonly PolicyDelta[], nextGeneration: number): boolean {
      if (nextGeneration <= generation) return false;
      generation = nextGeneration;
      if (deltas.length === 0) return true;
      for (const delta of deltas) applyDelta(index, delta);
      index.callers.clear();
      cache.clear();
      front.clear();
      return true;
    },
  };
}
