import type { RbacStore } from "../storage/rbac-store.ts";
import type { DenyAssignmentRecord, RoleAssignmentRecord, RoleDefinitionRecord } from "../storage/records.ts";
import { type Authorizer, createAuthorizer } from "./compiled-policy.ts";
import type { Membership } from "./memberships.ts";
import { createPolicy } from "./policy.ts";
import type { DenyAssignment, Policy, PrincipalType, RoleAssignment, RoleDefinition } from "./types.ts";

/**
 * The authorizer kept current with storage. A write on this node calls `refresh()` before it returns; other
 * nodes notice the change sequence move within one poll interval. Any `changes` row (role assignments, custom
 * roles, deny assignments, group memberships) reloads the whole snapshot.
 */
export interface LivePolicy {
  readonly authorizer: Authorizer;
  /** The snapshot the authorizer currently uses (for listings and explanations, never for decisions). */
  readonly snapshot: Policy;
  /** The principal's transitive groups in the current snapshot. */
  groupsOf(principalId: string): readonly string[];
  refresh(): Promise<void>;
  /** When this node last confirmed its snapshot against storage (epoch ms): how stale its decisions may be. */
  readonly confirmedAt: number;
  startPolling(intervalMs: number, onError: (err: unknown) => void): () => void;
}

export interface LivePolicySources {
  store: RbacStore;
  /** Direct group memberships from the directory (the graph module's groups table), injected by `main.ts`. */
  loadMemberships(): Promise<readonly Membership[]>;
}

export async function openLivePolicy(sources: LivePolicySources): Promise<LivePolicy> {
  const { store } = sources;
  let snapshot = createPolicy({});
  const authorizer = createAuthorizer(snapshot, { generation: -1 });
  let queue: Promise<void> = Promise.resolve();
  let confirmedAt = 0;

  async function load(): Promise<void> {
    const generation = await store.latestChange();
    if (generation <= authorizer.generation) {
      confirmedAt = Date.now();
      return;
    }
    const [assignments, customs, denies, memberships] = await Promise.all([
      store.listRoleAssignments(),
      store.listRoleDefinitions(),
      store.listDenyAssignments(),
      sources.loadMemberships(),
    ]);
    const next = createPolicy({
      roleAssignments: assignments.map(toAssignment),
      customRoles: customs.map(toRole),
      denyAssignments: denies.map(toDeny),
      memberships,
    });
    if (authorizer.update(next, generation)) snapshot = next;
    confirmedAt = Date.now();
  }

  // Loads run one after another: a refresh that follows a write always reads after that write committed.
  const refresh = () => {
    const next = queue.then(load);
    queue = next.catch(() => undefined);
    return next;
  };

  await refresh();
  return {
    authorizer,
    get snapshot() {
      return snapshot;
    },
    get confirmedAt() {
      return confirmedAt;
    },
    groupsOf: (principalId) => snapshot.groupsOf.get(principalId.toLowerCase()) ?? [],
    refresh,
    startPolling(intervalMs, onError) {
      const timer = setInterval(() => refresh().catch(onError), intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

function toAssignment(r: RoleAssignmentRecord): RoleAssignment {
  return {
    id: r.id,
    scope: r.scope,
    roleDefinitionId: r.roleDefinitionId,
    principalId: r.principalId,
    principalType: r.principalType as PrincipalType,
    condition: r.condition,
    description: r.description,
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
