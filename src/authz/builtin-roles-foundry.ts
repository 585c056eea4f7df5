import {
  COGNITIVE_SERVICES_CONTRIBUTOR_ACTIONS,
  FINE_TUNE_DEPLOYMENT_WRITES,
  MONITORING_READS,
  USER_IMPERSONATION,
} from "./builtin-roles-cognitive.ts";
import { builtInRole, delegationCondition, permission } from "./define-role.ts";
import type { RoleDefinition } from "./types.ts";

/**
 * Azure AI / Foundry built-in roles. "Azure AI User/Project Manager/Owner" were renamed "Foundry ..." in
 * 2025-26 with unchanged GUIDs; we carry the current names (`builtInRoleByName` also accepts the former ones).
 * Permission lists follow the 2026 `az role definition list` capture.
 */

const AZURE_AI_DEVELOPER_ID = "64702f94-c441-49e6-a78b-ef80e0188fee";
export const FOUNDRY_USER_ID = "53ca6127-db72-4b80-b1b0-d745d6d5456d";
const FOUNDRY_OWNER_ID = "c883944f-8b7b-4483-af10-35834be79c4a";
const FOUNDRY_PROJECT_MANAGER_ID = "eadc314b-1a2d-4efa-be10-5d325db5065e";
const AZURE_AI_ACCOUNT_OWNER_ID = "e47c6f54-e4a2-4754-9501-8e0985b135e1";
const AZURE_AI_INFERENCE_DEPLOYMENT_OPERATOR_ID = "3afb7f49-54cb-416e-8c09-6dc049efa503";

const ROLE_ASSIGNMENT_WRITES = ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete"];

/** Roles each delegating Foundry role may hand out (the `GuidEquals` sets of their conditions). */
const PROJECT_MANAGER_DELEGABLE = ["eed3b665-ab3a-47b6-8f48-c9382fb1dad6", FOUNDRY_USER_ID];
const ACCOUNT_OWNER_DELEGABLE = [FOUNDRY_USER_ID];
const FOUNDRY_OWNER_DELEGABLE = [
  "eed3b665-ab3a-47b6-8f48-c9382fb1dad6",
  FOUNDRY_USER_ID,
  "3bc748fc-213d-45c1-8d91-9da5725539b9",
  "2a1e307c-b015-4ebd-883e-5b7698a07328",
  "73c42c96-874c-492b-b04d-ab87d138a893",
];

const MLS = "Microsoft.MachineLearningServices";

export const foundryRoles: readonly RoleDefinition[] = [
  builtInRole(
    AZURE_AI_DEVELOPER_ID,
    "Azure AI Developer",
    "Can perform all actions within an Azure AI resource besides managing the resource itself.",
    permission({
      actions: [
        `${MLS}/workspaces/*/read`,
        `${MLS}/workspaces/*/action`,
        `${MLS}/workspaces/*/delete`,
        `${MLS}/workspaces/*/write`,
        `${MLS}/locations/*/read`,
        "Microsoft.Authorization/*/read",
        "Microsoft.Resources/deployments/*",
      ],
      notActions: [
        `${MLS}/workspaces/delete`,
        `${MLS}/workspaces/write`,
        `${MLS}/workspaces/listKeys/action`,
        `${MLS}/workspaces/hubs/write`,
        `${MLS}/workspaces/hubs/delete`,
        `${MLS}/workspaces/featurestores/write`,
        `${MLS}/workspaces/featurestores/delete`,
        `${MLS}/workspaces/evaluations/results/labels/read`,
        `${MLS}/workspaces/evaluations/results/reasonings/read`,
        `${MLS}/workspaces/simulations/results/images/read`,
      ],
      // MaaS yes, `AIServices/*` (agents) no.
      dataActions: [
        "Microsoft.CognitiveServices/accounts/OpenAI/*",
        "Microsoft.CognitiveServices/accounts/SpeechServices/*",
        "Microsoft.CognitiveServices/accounts/ContentSafety/*",
        "Microsoft.CognitiveServices/accounts/MaaS/*",
      ],
      notDataActions: ["Microsoft.CognitiveServices/accounts/OpenAI/fine-tunes-deployments/write"],
    }),
  ),
  builtInRole(
    FOUNDRY_USER_ID,
    "Foundry User",
    "Grants reader access to AI projects, reader access to AI accounts, and data actions for an AI project.",
    permission({
      actions: [
        "Microsoft.Authorization/*/read",
        "Microsoft.CognitiveServices/*/read",
        "Microsoft.CognitiveServices/accounts/listkeys/action",
        "Microsoft.CognitiveServices/accounts/projects/connections/listsecrets/action",
        ...MONITORING_READS,
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/subscriptions/operationresults/read",
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Support/*",
      ],
      dataActions: ["Microsoft.CognitiveServices/*"],
      notDataActions: [USER_IMPERSONATION, ...FINE_TUNE_DEPLOYMENT_WRITES],
    }),
  ),
  builtInRole(
    FOUNDRY_OWNER_ID,
    "Foundry Owner",
    // No official JSON carries this role's description; this is the Foundry RBAC doc's draft text, verbatim.
    "Grants full to manage AI project and accounts. Grants reader access to AI projects, reader access to AI accounts, and data actions for an AI project.",
    permission({
      actions: [
        "Microsoft.AlertsManagement/actionRules/*",
        "Microsoft.AlertsManagement/alerts/*",
        "Microsoft.AlertsManagement/issues/*",
        "Microsoft.AlertsManagement/prometheusRuleGroups/*",
        "Microsoft.AlertsManagement/smartDetectorAlertRules/*",
        "Microsoft.Authorization/*/read",
        ...ROLE_ASSIGNMENT_WRITES,
        "Microsoft.CognitiveServices/*",
        "Microsoft.Insights/activityLogAlerts/*",
        "Microsoft.Insights/metricalerts/*",
        "Microsoft.Insights/scheduledqueryrules/*",
        "Microsoft.ResourceHealth/availabilityStatuses/read",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/deployments/operations/read",
        "Microsoft.Resources/subscriptions/operationresults/read",
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Resources/subscriptions/resourcegroups/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Support/*",
      ],
      dataActions: ["Microsoft.CognitiveServices/*"],
      notDataActions: [USER_IMPERSONATION],
      condition: delegationCondition(FOUNDRY_OWNER_DELEGABLE),
    }),
  ),
  builtInRole(
    FOUNDRY_PROJECT_MANAGER_ID,
    "Foundry Project Manager",
    "Lets you perform developer actions and management actions on Foundry Projects. Allows for making role assignments, but limited to Cognitive Service User role.",
    permission({
      actions: [
        ...ROLE_ASSIGNMENT_WRITES,
        "Microsoft.CognitiveServices/accounts/*/read",
        "Microsoft.CognitiveServices/accounts/projects/*",
        "Microsoft.CognitiveServices/locations/*/read",
        "Microsoft.Authorization/*/read",
        "Microsoft.Insights/alertRules/*",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
      ],
      dataActions: ["Microsoft.CognitiveServices/*"],
      notDataActions: [USER_IMPERSONATION, ...FINE_TUNE_DEPLOYMENT_WRITES],
      condition: delegationCondition(PROJECT_MANAGER_DELEGABLE),
    }),
  ),
  builtInRole(
    AZURE_AI_ACCOUNT_OWNER_ID,
    "Azure AI Account Owner",
    "Grants full access to manage AI projects and accounts. Grants conditional assignment of the Azure AI User role to other user principals.",
    // Cognitive Services Contributor plus conditional role assignment, and deliberately no data actions.
    permission({
      actions: [COGNITIVE_SERVICES_CONTRIBUTOR_ACTIONS[0]!, ...ROLE_ASSIGNMENT_WRITES, ...COGNITIVE_SERVICES_CONTRIBUTOR_ACTIONS.slice(1)],
      condition: delegationCondition(ACCOUNT_OWNER_DELEGABLE),
    }),
  ),
  builtInRole(
    AZURE_AI_INFERENCE_DEPLOYMENT_OPERATOR_ID,
    "Azure AI Inference Deployment Operator",
    "Can perform all actions required to create a resource deployment within a resource group.",
    permission({
      actions: ["Microsoft.Authorization/*/read", "Microsoft.Resources/deployments/*", "Microsoft.Insights/AutoscaleSettings/write"],
    }),
  ),
];
