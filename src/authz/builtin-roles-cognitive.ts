import { builtInRole, permission } from "./define-role.ts";
import type { RoleDefinition } from "./types.ts";

/**
 * Cognitive Services / Azure OpenAI built-in roles. Permission lists are the 2026 capture of
 * `az role definition list --name <id>` where the reference has one (it only adds to the 12/2024 docs).
 */

export const COGNITIVE_SERVICES_CONTRIBUTOR_ID = "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68";
export const COGNITIVE_SERVICES_USER_ID = "a97b65f3-24c7-4388-baec-2e87135dc908";
export const COGNITIVE_SERVICES_OPENAI_USER_ID = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
const COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR_ID = "a001fd3d-188f-4b5d-821b-7da978bf7442";
const COGNITIVE_SERVICES_DATA_READER_ID = "b59867f0-fa02-499b-be73-45a86b5b3e1c";
const COGNITIVE_SERVICES_USAGES_READER_ID = "bba48692-92b0-4667-a9ad-c31c7b334ac2";
const COGNITIVE_SERVICES_DATA_CONTRIBUTOR_ID = "19c28022-e58e-450d-a464-0b2a53034789";

/** Shared with the Foundry roles: fine-tuned deployments and user impersonation stay out of the broad data roles. */
export const USER_IMPERSONATION = "Microsoft.CognitiveServices/accounts/AIServices/agents/endpoints/UserIdentityImpersonation/action";
export const FINE_TUNE_DEPLOYMENT_WRITES = [
  "Microsoft.CognitiveServices/accounts/OpenAI/fine-tunes-deployments/write",
  "Microsoft.CognitiveServices/accounts/AIServices/fine_tuning_deployments/write",
];

/** The monitoring reads the Cognitive Services User and Foundry User roles both carry. */
export const MONITORING_READS = [
  "Microsoft.Insights/alertRules/read",
  "Microsoft.Insights/diagnosticSettings/read",
  "Microsoft.Insights/logDefinitions/read",
  "Microsoft.Insights/metricdefinitions/read",
  "Microsoft.Insights/metrics/read",
  "Microsoft.ResourceHealth/availabilityStatuses/read",
];

/** Control-plane actions of Cognitive Services Contributor; Azure AI Account Owner extends this list. */
export const COGNITIVE_SERVICES_CONTRIBUTOR_ACTIONS = [
  "Microsoft.Authorization/*/read",
  "Microsoft.CognitiveServices/*",
  "Microsoft.Features/features/read",
  "Microsoft.Features/providers/features/read",
  "Microsoft.Features/providers/features/register/action",
  "Microsoft.Insights/alertRules/*",
  "Microsoft.Insights/diagnosticSettings/*",
  "Microsoft.Insights/logDefinitions/read",
  "Microsoft.Insights/metricdefinitions/read",
  "Microsoft.Insights/metrics/read",
  "Microsoft.ResourceHealth/availabilityStatuses/read",
  "Microsoft.Resources/deployments/*",
  "Microsoft.Resources/deployments/operations/read",
  "Microsoft.Resources/subscriptions/operationresults/read",
  "Microsoft.Resources/subscriptions/read",
  "Microsoft.Resources/subscriptions/resourcegroups/deployments/*",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Support/*",
];

export const cognitiveRoles: readonly RoleDefinition[] = [
  builtInRole(
    COGNITIVE_SERVICES_CONTRIBUTOR_ID,
    "Cognitive Services Contributor",
    "Lets you create, read, update, delete and manage keys of Cognitive Services.",
    permission({ actions: COGNITIVE_SERVICES_CONTRIBUTOR_ACTIONS }),
  ),
  builtInRole(
    COGNITIVE_SERVICES_USER_ID,
    "Cognitive Services User",
    "Lets you read and list keys of Cognitive Services.",
    permission({
      actions: [
        "Microsoft.CognitiveServices/*/read",
        "Microsoft.CognitiveServices/accounts/listkeys/action",
        "Microsoft.CognitiveServices/accounts/projects/connections/listsecrets/action",
        ...MONITORING_READS,
        "Microsoft.Resources/deployments/operations/read",
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
    COGNITIVE_SERVICES_OPENAI_USER_ID,
    "Cognitive Services OpenAI User",
    "Ability to view files, models, deployments. Readers can't make any changes They can inference and create images",
    permission({
      actions: [
        "Microsoft.CognitiveServices/*/read",
        "Microsoft.Authorization/roleAssignments/read",
        "Microsoft.Authorization/roleDefinitions/read",
      ],
      // OpenAI routes only: no `accounts/MaaS/*`, so `/models/chat/completions` is denied.
      dataActions: [
        "Microsoft.CognitiveServices/accounts/OpenAI/*/read",
        "Microsoft.CognitiveServices/accounts/OpenAI/engines/completions/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/engines/search/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/engines/generate/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/audio/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/search/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/completions/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/realtime/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/extensions/chat/completions/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/deployments/embeddings/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/images/generations/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/video/generations/*/action",
        "Microsoft.CognitiveServices/accounts/OpenAI/video/generations/*/delete",
        "Microsoft.CognitiveServices/accounts/OpenAI/assistants/*",
        "Microsoft.CognitiveServices/accounts/OpenAI/responses/*",
      ],
      notDataActions: ["Microsoft.CognitiveServices/accounts/OpenAI/stored-completions/read"],
    }),
  ),
  builtInRole(
    COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR_ID,
    "Cognitive Services OpenAI Contributor",
    "Full access including the ability to fine-tune, deploy and generate text",
    permission({
      actions: [
        "Microsoft.CognitiveServices/*/read",
        "Microsoft.CognitiveServices/accounts/deployments/write",
        "Microsoft.CognitiveServices/accounts/deployments/delete",
        "Microsoft.CognitiveServices/accounts/raiPolicies/read",
        "Microsoft.CognitiveServices/accounts/raiPolicies/write",
        "Microsoft.CognitiveServices/accounts/raiPolicies/delete",
        "Microsoft.CognitiveServices/accounts/commitmentplans/read",
        "Microsoft.CognitiveServices/accounts/commitmentplans/write",
        "Microsoft.CognitiveServices/accounts/commitmentplans/delete",
        "Microsoft.Authorization/roleAssignments/read",
        "Microsoft.Authorization/roleDefinitions/read",
      ],
      dataActions: ["Microsoft.CognitiveServices/accounts/OpenAI/*"],
    }),
  ),
  builtInRole(
    COGNITIVE_SERVICES_DATA_READER_ID,
    "Cognitive Services Data Reader",
    "Lets you read Cognitive Services data.",
    permission({ dataActions: ["Microsoft.CognitiveServices/*/read"] }),
  ),
  builtInRole(
    COGNITIVE_SERVICES_USAGES_READER_ID,
    "Cognitive Services Usages Reader",
    "Minimal permission to view Cognitive Services usages.",
    permission({ actions: ["Microsoft.CognitiveServices/locations/usages/read"] }),
  ),
  builtInRole(
    COGNITIVE_SERVICES_DATA_CONTRIBUTOR_ID,
    "Cognitive Services Data Contributor (Preview)",
    "Allows to call data plane APIs, but not any control plane APIs for Microsoft Cognitive Services. This role is in preview and subject to change.",
    permission({ dataActions: ["Microsoft.CognitiveServices/*"], notDataActions: FINE_TUNE_DEPLOYMENT_WRITES }),
  ),
];
