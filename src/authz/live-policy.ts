import type { RbacStore } from "../storage/rbac-store.ts";
import type { RoleAssignmentRecord } from "../storage/records.ts";
import { type Authorizer, createAuthorizer } from "./compiled-policy.ts";
import { createPolicy } from "./policy.ts";
import type { PrincipalType, RoleAssignment } from "./types.ts";

/**
 * The authorizer kept current with storage. A write on this node calls `refresh()` before it returns; other
 * nodes notice the change sequence move within one poll interval.
 */
export interface LivePolicy {
  readonly authorizer: Authorizer;
  refresh(): Promise<void>;
  startPolling(intervalMs: number, onError: (err: unknown) => void): () => void;
}

export async function openLivePolicy(store: RbacStore): Promise<LivePolicy> {
  const authorizer = createAuthorizer(createPolicy({}), { generation: -1 });
  let queue: Promise<void> = Promise.resolve();

  async function load(): Promise<void> {
    const generation = await store.latestChange();
    if (generation <= authorizer.generation) return;
    const roleAssignments = (await store.listRoleAssignments()).map(toAssignment);
    authorizer.update(createPolicy({ roleAssignments }), generation);
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
    id: r.id, scope: r.scope, roleDefinitionId: r.roleDefinitionId, principalId: r.principalId,
    principalType: r.principalType as PrincipalType, condition: r.condition, description: r.description,
  };
}
