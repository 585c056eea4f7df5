import { builtInRole, permission } from "./define-role.ts";
import type { RoleDefinition } from "./types.ts";

/**
 * General and privileged built-in roles (azure-docs `built-in-roles/privileged.md`, ms.date 07/01/2026).
 * None has data actions: that is why Owner cannot call inference with an Entra token.
 */

export const OWNER_ID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
export const CONTRIBUTOR_ID = "b24988ac-6180-42a0-ab88-20f7382dd24c";
export const READER_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
export const USER_ACCESS_ADMINISTRATOR_ID = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
const RBAC_ADMINISTRATOR_ID = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";

export const generalRoles: readonly RoleDefinition[] = [
  builtInRole(
    OWNER_ID,
    "Owner",
    "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    permission({ actions: ["*"] }),
  ),
  builtInRole(
    CONTRIBUTOR_ID,
    "Contributor",
    "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    permission({
      actions: ["*"],
      // Mixed case (`*/Delete`) is Azure's own spelling; matching is case-insensitive.
      notActions: [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
      ],
    }),
  ),
  builtInRole(READER_ID, "Reader", "View all resources, but does not allow you to make any changes.", permission({ actions: ["*/read"] })),
  builtInRole(
    USER_ACCESS_ADMINISTRATOR_ID,
    "User Access Administrator",
    "Lets you manage user access to Azure resources.",
    permission({ actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] }),
  ),
  builtInRole(
    RBAC_ADMINISTRATOR_ID,
    "Role Based Access Control Administrator",
    "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    // The portal usually puts a delegation condition on the *assignment* of this role; the definition has none.
    permission({
      actions: [
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Authorization/roleAssignments/delete",
        "*/read",
        "Microsoft.Support/*",
      ],
    }),
  ),
];
