import { UnavailableError } from "../core/errors.ts";
import type { Change, ChangeDelta } from "../storage/change-feed.ts";
import type { PolicyAssignmentRecord, RbacStore } from "../storage/rbac-store.ts";
import type { DenyAssignmentRecord, RoleDefinitionRecord } from "../storage/records.ts";
import { type Authorizer, createAuthorizer, createPolicyBuilder, type PolicyBuilder, type PolicyDelta } from "./compiled-policy.ts";
import type { Membership } from "./memberships.ts";
import { createPolicy } from "./policy.ts";
import type { DenyAssignment, Policy, PrincipalType, RoleAssignment, RoleDefinition } from "./types.ts";

/**
 * The authorizer kept current with storage. Every write appends a `changes` row saying what it changed; a node
 * reads the rows numbered above the last one it applied and applies them to its indexes in place. A full reload
 * happens at start, on a bulk change (`full`), and when a node has fallen more than `maxPendingChanges` behind.
 * A write on this node calls `refresh()` before it returns; other nodes are woken by the store's notification
 * (PostgreSQL `NOTIFY`, wired in `main.ts`) and poll as a fallback.
 */
export interface LivePolicy {
  readonly authorizer: Authorizer;
  /** The policy the authorizer currently holds (for listings and explanations, never for decisions). */
  readonly snapshot: Policy;
  /** The principal's transitive groups in the current policy. */
  groupsOf(principalId: string): readonly string[];
  /**
   * Brings the policy up to the newest committed change; calls run one after another, a waiting one is shared.
   * `applied` is a change this node has just committed: when it is the next one in line and no refresh is under
   * way, it is applied as it is, without reading back what was just written.
   */
  refresh(applied?: Change): Promise<void>;
  /** When this node last confirmed its policy against storage (epoch ms): how stale its decisions may be. */
  readonly confirmedAt: number;
  /** Why the last refresh failed, while the policy is not confirmed since. */
  readonly lastError: unknown;
  /** How many full reloads this node has done (start included). */
  readonly fullReloads: number;
  /**
   * Why decisions must not be made now (the policy has not been confirmed current for longer than
   * `maxStalenessMs`), or undefined while it is fresh enough.
   */
  staleReason(): string | undefined;
  /** Throws `UnavailableError` (503 with Retry-After on every surface) when `staleReason()` says so. */
  requireCurrent(): void;
  /** Refreshes every `intervalMs`; `onError` hears the first failure of each run of failures. */
  startPolling(intervalMs: number, onError: (err: unknown) => void): () => void;
}

interface LivePolicySources {
  store: Pick<RbacStore, "latestChange" | "changesSince" | "listRoleAssignmentsPage" | "listRoleDefinitions" | "listDenyAssignments">;
  /**
   * Direct group memberships from the directory (the groups table), a page at a time in (group, member) order:
   * up to `limit` edges after `after` (from the first when undefined). Injected by `main.ts`.
   */
  loadMembershipsPage(after: Membership | undefined, limit: number): Promise<readonly Membership[]>;
  /**
   * Every change this node applies, in order, after the policy took it (`full` after a full reload): other
   * per-node caches that decide access (account look-ups, principal status) drop what it names.
   */
  onChange?(delta: ChangeDelta): void;
  /** More pending changes than this and the node reloads everything instead (default 1,000). */
  maxPendingChanges?: number;
  /** A change-feed read that takes longer fails the refresh (default 1,000 ms; a full reload gets 60 s). */
  storeTimeoutMs?: number;
  /** How long decisions go on with a policy that cannot be confirmed current (default 30 s): fail closed after. */
  maxStalenessMs?: number;
  now?: () => number;
}

/** What a node that fails closed tells callers to wait: about the time a returning store takes to confirm. */
const RETRY_AFTER_SECONDS = 2;
/** Rows per page of a full reload: a page's rows die young, in the new generation, once indexed. */
const PAGE = 1000;

export async function openLivePolicy(sources: LivePolicySources): Promise<LivePolicy> {
  const { store } = sources;
  const maxPending = sources.maxPendingChanges ?? 1000;
  const timeoutMs = sources.storeTimeoutMs ?? 1000;
  const fullLoadTimeoutMs = Math.max(timeoutMs, 60_000);
  const maxStalenessMs = sources.maxStalenessMs ?? 30_000;
  const now = sources.now ?? Date.now;
  const authorizer = createAuthorizer(createPolicy({}), { generation: -1 });
  let confirmedAt = 0;
  let lastError: unknown;
  let fullReloads = 0;

  const timed = <T>(what: string, work: Promise<T>, ms = timeoutMs): Promise<T> => withTimeout(work, ms, what);

  async function fullLoad(): Promise<void> {
    // The number first: rows committed while the tables are read are applied again afterwards, which changes
    // nothing they already did (every delta carries its whole value).
    const generation = await timed("reading the change feed", store.latestChange());
    const builder = createPolicyBuilder();
    await timed("loading the policy", loadInto(builder), fullLoadTimeoutMs);
    authorizer.install(builder, generation);
    fullReloads++;
    sources.onChange?.({ kind: "full" });
  }

  /**
   * Everything a decision reads, streamed into a new index a page at a time: only one page of rows is held beside
   * what the index keeps. Assignments before memberships (see `PolicyBuilder`).
   */
  async function loadInto(builder: PolicyBuilder): Promise<void> {
    const [customs, denies] = await Promise.all([store.listRoleDefinitions(), store.listDenyAssignments()]);
    for (const role of customs) builder.role(toRole(role));
    for (const deny of denies) builder.deny(toDeny(deny));
    for (let after = ""; ; ) {
      const page = await store.listRoleAssignmentsPage(after, PAGE);
      for (const record of page) builder.assignment(toAssignment(record));
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    for (let after: Membership | undefined; ; ) {
      const page = await sources.loadMembershipsPage(after, PAGE);
      for (const edge of page) builder.membership(edge.groupId, edge.memberId);
      if (page.length < PAGE) break;
      after = page[page.length - 1]!;
    }
  }

  let syncing = false;
  async function sync(): Promise<void> {
    syncing = true;
    try {
      if (authorizer.generation < 0) await fullLoad();
      // A few rounds at most: a node that keeps finding new rows is confirmed by the next call.
      for (let round = 0; round < 4; round++) {
        const changes = await timed("reading the change feed", store.changesSince(Math.max(0, authorizer.generation), maxPending + 1));
        if (changes.length === 0) break;
        if (changes.length > maxPending || changes.some((c) => c.delta.kind === "full")) {
          await fullLoad();
          continue;
        }
        applyChanges(changes);
        if (changes.length <= maxPending) break;
      }
      confirmedAt = now();
      lastError = undefined;
    } catch (err) {
      lastError = err;
      throw err;
    } finally {
      syncing = false;
    }
  }

  function applyChanges(changes: readonly Change[]): void {
    const fresh = changes.filter((c) => c.seq > authorizer.generation);
    if (fresh.length === 0) return;
    const deltas = fresh.flatMap((c) => policyDeltas(c.delta));
    authorizer.apply(deltas, fresh[fresh.length - 1]!.seq);
    for (const change of fresh) sources.onChange?.(change.delta);
  }

  // Syncs run one after another, so a refresh that follows a write always reads after that write committed;
  // callers that arrive while one is waiting to start share it.
  let running: Promise<void> = Promise.resolve();
  let waiting: Promise<void> | undefined;
  const refresh = (applied?: Change): Promise<void> => {
    // Every smaller number committed before this one took the change feed's turn, and this node holds them all.
    if (applied && !syncing && !waiting && applied.seq === authorizer.generation + 1) {
      applyChanges([applied]);
      return Promise.resolve();
    }
    if (waiting) return waiting;
    const next = running
      .catch(() => undefined)
      .then(() => {
        waiting = undefined;
        return sync();
      });
    waiting = next;
    running = next;
    return next;
  };

  function staleReason(): string | undefined {
    const age = now() - confirmedAt;
    if (age <= maxStalenessMs) return undefined;
    return `its access policy could not be confirmed current against storage for ${Math.round(age / 1000)} s (the limit, policyMaxStalenessSeconds, is ${Math.round(maxStalenessMs / 1000)} s).`;
  }

  await refresh();
  return {
    authorizer,
    get snapshot() {
      return authorizer.policy;
    },
    get confirmedAt() {
      return confirmedAt;
    },
    get lastError() {
      return lastError;
    },
    get fullReloads() {
      return fullReloads;
    },
    groupsOf: (principalId) => authorizer.policy.groupsOf.get(principalId.toLowerCase()) ?? [],
    refresh,
    staleReason,
    requireCurrent() {
      const reason = staleReason();
      if (reason !== undefined) throw new UnavailableError(reason, RETRY_AFTER_SECONDS);
    },
    startPolling(intervalMs, onError) {
      // One report per run of failures, not one per tick of an outage.
      let failing = false;
      const tick = () =>
        refresh().then(
          () => {
            failing = false;
          },
          (err) => {
            if (!failing) onError(err);
            failing = true;
          },
        );
      const timer = setInterval(tick, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/** A stored change as the authorizer applies it; status and resource changes concern other caches only. */
function policyDeltas(delta: ChangeDelta): PolicyDelta[] {
  switch (delta.kind) {
    case "assignment.put":
      return [{ kind: "assignment.put", assignment: toAssignment(delta.assignment) }];
    case "role.put":
      return [{ kind: "role.put", role: toRole(delta.role) }];
    case "deny.put":
      return [{ kind: "deny.put", deny: toDeny(delta.deny) }];
    case "assignment.delete":
    case "role.delete":
    case "deny.delete":
    case "membership.add":
    case "membership.remove":
    case "object.delete":
      return [delta];
    case "principal":
    case "resources":
    case "full":
      return [];
  }
}

/** Rejects when `work` has not settled within `ms` (the work itself goes on; its result is dropped). */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

function toAssignment(r: PolicyAssignmentRecord): RoleAssignment {
  return {
    id: r.id,
    scope: r.scope,
    roleDefinitionId: r.roleDefinitionId,
    principalId: r.principalId,
    principalType: r.principalType as PrincipalType,
    condition: r.condition,
  };
}

function toRole(r: RoleDefinitionRecord): RoleDefinition {
  return {
    id: r.id,
    roleName: r.roleName,
    roleType: "CustomRole",
    description: r.description,
    assignableScopes: r.assignableScopes,
    permissions: r.permissions,
  };
}

function toDeny(d: DenyAssignmentRecord): DenyAssignment {
  return {
    id: d.id,
    scope: d.scope,
    permissions: d.permissions,
    principals: d.principals,
    excludePrincipals: d.excludePrincipals,
    doNotApplyToChildScopes: d.doNotApplyToChildScopes,
  };
}
