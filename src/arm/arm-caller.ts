import { withDetails } from "../core/errors.ts";
import { armError } from "./arm-errors.ts";

/** The authenticated caller of an ARM operation, and how ARM authorizes it. */
export interface ArmCaller {
  principalId: string;
  tenantId: string;
  /** What AuthorizationFailed names the client by: the UPN for users, the object id for applications. */
  clientName: string;
}

/**
 * The role assignment a `roleAssignments/write` creates or a `roleAssignments/delete` removes: what delegation
 * conditions on the caller's own assignments read (`@Request[…]` / `@Resource[…]`).
 */
interface AssignmentAttributes {
  roleDefinitionId: string;
  principalId: string;
  /** As the directory knows the principal; left out when it is not (yet) in the directory. */
  principalType?: string;
}

export type Authorize = (caller: ArmCaller, action: string, scope: string, attributes?: AssignmentAttributes) => Promise<boolean>;

/** The shared RBAC explanation of a denied action (`src/authz/explain.ts`), injected: arm never imports authz. */
export type ExplainDenial = (
  caller: ArmCaller,
  action: string,
  scope: string,
  attributes?: AssignmentAttributes,
) => Record<string, unknown>;

export interface ActionCheck {
  authorize: Authorize;
  explainDenial?: ExplainDenial;
}

/**
 * Throws ARM's `AuthorizationFailed` unless the caller may perform `action` at `scope`; the body also carries the
 * explanation (what is missing, which built-in roles would grant it), the same one data-plane denials carry.
 * `shownScope` is what the message names (ARM names the target resource, e.g. the assignment id).
 */
export async function requireAction(
  deps: ActionCheck,
  caller: ArmCaller,
  action: string,
  scope: string,
  attributes?: AssignmentAttributes,
  shownScope = scope,
): Promise<void> {
  if (await deps.authorize(caller, action, scope, attributes)) return;
  const error = armError("AuthorizationFailed", caller.clientName, caller.principalId, action, shownScope);
  if (!deps.explainDenial) throw error;
  const explanation = deps.explainDenial(caller, action, scope, attributes);
  throw withDetails(error, { explanation });
}
