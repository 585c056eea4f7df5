import { catalogErrors } from "../core/errors.ts";
import { MAX_SCOPE_LENGTH } from "../core/scope.ts";

/** ARM's error catalog: `{"error":{"code","message"}}` with Azure's codes and wording (docs/protocol-notes.md, "Error shapes"). */
const catalog = {
  AuthenticationFailed: { status: 401, template: (detail: string) => `Authentication failed. ${detail}` },
  InvalidAuthenticationToken: { status: 401, template: (detail: string) => `The access token is invalid. ${detail}` },
  ExpiredAuthenticationToken: {
    status: 401,
    template: (detail: string) => `The access token has expired. ${detail} Get a new token and try again.`,
  },
  InvalidAuthenticationTokenAudience: {
    status: 401,
    template: (aud: string, allowed: string) =>
      `The access token has been obtained for wrong audience or resource '${aud}'. It should exactly match with one of the allowed audiences ${allowed}.`,
  },
  AuthorizationFailed: {
    status: 403,
    template: (client: string, objectId: string, action: string, scope: string) =>
      `The client '${client}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  },
  MethodNotAllowed: {
    status: 405,
    template: (method: string, type: string) => `The HTTP method '${method}' is not supported for the resource type '${type}'.`,
  },
  MissingApiVersionParameter: {
    status: 400,
    template: () => "The api-version query parameter (?api-version=) is required for all requests.",
  },
  InvalidApiVersionParameter: {
    status: 400,
    template: (version: string, type: string, supported: string) =>
      `The api-version '${version}' is invalid. The supported versions for resource type '${type}' are '${supported}'.`,
  },
  InvalidRoleAssignmentId: {
    status: 400,
    template: (name: string) => `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
  },
  InvalidScope: {
    status: 400,
    template: (scope: string) =>
      scope.length > MAX_SCOPE_LENGTH
        ? `The scope '${scope.slice(0, 100)}…' is not valid: it is ${scope.length} characters long, the most is ${MAX_SCOPE_LENGTH}.`
        : `The scope '${scope}' is not valid. Use /subscriptions/{id}[/resourceGroups/{name}[/providers/{namespace}/{type}/{name}…]].`,
  },
  InvalidRequestContent: {
    status: 400,
    template: (detail: string) => `The request content was invalid and could not be deserialized: ${detail}`,
  },
  RequestEntityTooLarge: {
    status: 413,
    template: (limit: number) => `The request content is larger than ${limit} bytes, the limit for Azure Resource Manager requests.`,
  },
  RoleDefinitionDoesNotExist: { status: 400, template: (id: string) => `The specified role definition with ID '${id}' does not exist.` },
  PrincipalNotFound: {
    status: 400,
    template: (principalId: string, tenantId: string) =>
      `Principal ${principalId} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
  },
  RoleAssignmentExists: {
    status: 409,
    template: (existingId: string) => `The role assignment already exists. The ID of the existing role assignment is ${existingId}.`,
  },
  RoleAssignmentUpdateNotPermitted: {
    status: 400,
    template: () => "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
  },
  InvalidCondition: {
    status: 400,
    template: (detail: string) =>
      `The given role assignment condition is invalid: ${detail} Keyless evaluates Azure's condition language for delegated role assignment management (ActionMatches, @Request/@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId|PrincipalId|PrincipalType], Guid/String (Not)Equals with ForAnyOfAnyValues-style quantifiers, AND/OR/NOT); see docs/security.md.`,
  },
  RoleAssignmentNotFound: { status: 404, template: (id: string) => `The role assignment '${id}' is not found.` },
  RoleDefinitionNotFound: { status: 404, template: (id: string) => `The role definition '${id}' could not be found.` },
  RoleDefinitionWithSameNameExists: {
    status: 409,
    template: (name: string, kind: "custom" | "built-in" = "custom") =>
      `A ${kind} role with the same name '${name}' already exists in this directory (role names are compared case-insensitively). Use a different name.`,
  },
  InvalidRoleDefinition: { status: 400, template: (detail: string) => `The role definition is invalid: ${detail}` },
  InvalidAssignableScope: {
    status: 400,
    template: (scope: string) =>
      `The assignable scope '${scope}' is not valid. Use subscriptions, resource groups, resources or one management group; '/' and wildcards are not allowed.`,
  },
  DataActionsNotAllowedWithManagementGroupScope: {
    status: 400,
    template: () =>
      "You cannot add data action permissions when you have a management group as an assignable scope. Remove the data actions or use subscription scopes.",
  },
  BuiltInRoleCannotBeModified: {
    status: 400,
    template: (id: string) =>
      `The role definition '${id}' is a built-in role; built-in roles cannot be created, updated or deleted. Use a new GUID for a custom role.`,
  },
  LinkedAuthorizationFailed: {
    status: 403,
    template: (client: string, objectId: string, action: string, scope: string, linked: string) =>
      `The client '${client}' with object id '${objectId}' has permission to perform action '${action}' on scope '${scope}'; however, it does not have permission to perform action '${action}' on the linked scope(s) '${linked}' or the linked scope(s) are invalid.`,
  },
  RoleDefinitionHasAssignments: {
    status: 409,
    template: (count: number) =>
      `There are existing role assignments referencing role. Delete the ${count} role assignment(s) of this role first.`,
  },
  RoleAssignmentLimitExceeded: {
    status: 400,
    template: (limit: number) =>
      `No more role assignments can be created. A subscription holds at most ${limit} role assignments; remove unused ones or assign to groups.`,
  },
  RoleDefinitionLimitExceeded: {
    status: 400,
    template: (limit: number) =>
      `Role definition limit exceeded. No more role definitions can be created. A directory holds at most ${limit} custom roles (setting customRolesPerTenant); delete unused ones.`,
  },
  RoleNotAssignableAtScope: {
    status: 400,
    template: (role: string, scope: string) =>
      `The role '${role}' is not available for assignment at scope '${scope}'. Add the scope (or one above it) to the role's assignableScopes.`,
  },
  InvalidSkipToken: { status: 400, template: () => "The $skipToken is not valid. Use the nextLink of the previous page unchanged." },
  DenyAssignmentLimitExceeded: {
    status: 400,
    template: (limit: number) =>
      `No more deny assignments can be created. A subscription (or, above subscriptions, a directory) holds at most ${limit} deny assignments; remove unused ones.`,
  },
  DenyAssignmentNotFound: { status: 404, template: (id: string) => `The deny assignment '${id}' could not be found.` },
  InvalidDenyAssignment: { status: 400, template: (detail: string) => `The deny assignment is invalid: ${detail}` },
  SubscriptionNotFound: { status: 404, template: (id: string) => `The subscription '${id}' could not be found.` },
  ResourceNotFound: { status: 404, template: (type: string, name: string) => `The Resource '${type}/${name}' was not found.` },
  ResourceGroupNotFound: { status: 404, template: (name: string) => `Resource group '${name}' could not be found.` },
  InvalidResourceGroup: {
    status: 400,
    template: (name: string) =>
      `The provided resource group name '${name}' is invalid. The name can only be a letter, digit, '-', '.', '(', ')' or '_', must be 1 to 90 characters long and cannot end in '.'.`,
  },
  LocationRequired: { status: 400, template: () => "The location property is required for this definition." },
  InvalidResourceGroupLocation: {
    status: 409,
    template: (requested: string, existing: string) =>
      `Invalid resource group location '${requested}'. The Resource group already exists in location '${existing}'.`,
  },
  InvalidResourceName: { status: 400, template: (name: string, rule: string) => `Resource name '${name}' is invalid. ${rule}` },
  InvalidResourceNamespace: { status: 404, template: (namespace: string) => `The resource namespace '${namespace}' is invalid.` },
  InvalidApiSetId: {
    status: 400,
    template: (kind: string, supported: string) =>
      `The account type '${kind}' is either invalid or unavailable in given region. Supported kinds: ${supported}.`,
  },
  InvalidSkuId: {
    status: 400,
    template: (sku: string, supported: string) => `The given sku '${sku}' is invalid. Supported skus: ${supported}.`,
  },
  CustomDomainInUse: {
    status: 409,
    template: (name: string) =>
      `The subdomain name '${name}' is not available as it's already used by a resource. Choose another account name or customSubDomainName.`,
  },
  CannotChangeProperty: {
    status: 400,
    template: (property: string) =>
      `The property '${property}' cannot be changed after the resource is created; delete and recreate the resource instead.`,
  },
  InvalidResourceProperties: { status: 400, template: (detail: string) => `The resource properties are invalid: ${detail}` },
  DeploymentModelNotSupported: {
    status: 400,
    template: (model: string, available: string) =>
      `The model '${model}' of account deployment is not supported. Deployable models (format/name/version): ${available}. List them with GET …/accounts/{account}/models.`,
  },
  RaiPolicyInUse: {
    status: 409,
    template: (policy: string, deployments: string) =>
      `The RAI policy '${policy}' is used by deployment(s) ${deployments}. Point them at another policy (properties.raiPolicyName) before deleting it.`,
  },
  RaiBlocklistInUse: {
    status: 409,
    template: (blocklist: string, policies: string) =>
      `The blocklist '${blocklist}' is used by RAI policy(ies) ${policies}. Remove it from their customBlocklists before deleting it.`,
  },
  SystemManagedRaiPolicy: {
    status: 400,
    template: (policy: string) =>
      `'${policy}' is a system-managed RAI policy: it cannot be changed or deleted. Create a policy of your own with basePolicyName '${policy}' instead.`,
  },
  RaiPolicyNotFound: {
    status: 400,
    template: (policy: string, account: string) =>
      `The RAI policy '${policy}' does not exist in account '${account}'. Use Microsoft.DefaultV2, Microsoft.Default or a policy listed by GET …/accounts/${account}/raiPolicies.`,
  },
  RaiBlocklistNotFound: {
    status: 400,
    template: (blocklist: string, account: string) =>
      `The blocklist '${blocklist}' does not exist in account '${account}'. Create it first (PUT …/accounts/${account}/raiBlocklists/${blocklist}).`,
  },
  InvalidRaiBlocklistItem: {
    status: 400,
    template: (item: string, problem: string) => `The blocklist item '${item}' is invalid: ${problem}.`,
  },
  RaiBlocklistItemLimitExceeded: {
    status: 400,
    template: (blocklist: string, limit: number) =>
      `The blocklist '${blocklist}' would have more than ${limit} items, the most one blocklist may hold (setting raiBlocklistMaxItems). Delete items or use another blocklist.`,
  },
  InvalidKeyName: { status: 400, template: (keyName: string) => `The key name '${keyName}' is invalid. Use 'Key1' or 'Key2'.` },
  OperationNotFound: { status: 404, template: (id: string) => `The operation '${id}' could not be found.` },
  InvalidSubscriptionId: {
    status: 400,
    template: (id: string) => `The provided subscription identifier '${id}' is malformed or invalid. A subscription id is a GUID.`,
  },
  InvalidFilter: { status: 400, template: (detail: string) => `The $filter is invalid: ${detail}` },
  BadRequest: { status: 400, template: (detail: string) => detail },
  ManagedIdentitiesUnavailable: {
    status: 501,
    template: () => "Managed identities are not available on this server: the token service's identity directory is not configured.",
  },
  InvalidResourceId: {
    status: 400,
    template: (path: string) =>
      `The request path '${path}' is not a valid resource id or collection. Resource ids look like /subscriptions/{subscriptionId}/resourceGroups/{group}/providers/{namespace}/{type}/{name}.`,
  },
  PolicyUnavailable: {
    status: 503,
    template: (reason: string) => `Authorization cannot be decided on this node right now: ${reason} Retry the request shortly.`,
  },
  InvalidTemplate: {
    status: 400,
    template: (detail: string) => `Deployment template validation failed: '${detail}'.`,
  },
  InvalidTemplateDeployment: {
    status: 400,
    template: (name: string, trackingId: string) =>
      `The template deployment '${name}' is not valid according to the validation procedure. The tracking id is '${trackingId}'. See inner errors for details.`,
  },
  DeploymentNotFound: { status: 404, template: (name: string) => `Deployment '${name}' could not be found.` },
  DeploymentActive: {
    status: 409,
    template: (name: string) =>
      `Unable to edit, replace or delete deployment '${name}': the previous run is still active (Accepted or Running). Wait for it to finish or cancel it.`,
  },
  DeploymentCannotBeCancelled: {
    status: 409,
    template: (name: string, state: string) => `The deployment '${name}' cannot be cancelled: it is ${state}, not Accepted or Running.`,
  },
  DeploymentFailed: {
    status: 400,
    template: () => "At least one resource deployment operation failed. Please list deployment operations for details.",
  },
  DeploymentCanceled: { status: 409, template: (name: string) => `The deployment '${name}' was canceled.` },
  DeploymentConcurrencyLimitExceeded: {
    status: 429,
    template: (limit: number) =>
      `The subscription already has ${limit} deployments accepted or running, the limit (setting templateDeploymentConcurrency). Retry when one finishes.`,
  },
  DeploymentQuotaExceeded: {
    status: 400,
    template: (name: string, limit: number, count: number) =>
      `Creating the deployment '${name}' would exceed the quota of '${limit}'. The current deployment count is '${count}', every one accepted or running, so none could be deleted from the history to make room. Retry when one finishes.`,
  },
  NoRegisteredProviderFound: {
    status: 400,
    template: (type: string, supported: string) =>
      `No registered resource provider found for resource type '${type}' in template deployments. The supported types are: ${supported}.`,
  },
  InvalidDeploymentScope: {
    status: 400,
    template: (detail: string) => `The deployment scope is invalid: ${detail}`,
  },
  InternalServerError: {
    status: 500,
    template: (requestId: string) => `The server encountered an internal error. Request id: ${requestId}.`,
  },
} as const;

type ArmErrorName = keyof typeof catalog;
export const armCatalog: Readonly<Record<ArmErrorName, { status: number }>> = catalog;

export const armError = catalogErrors(catalog);
