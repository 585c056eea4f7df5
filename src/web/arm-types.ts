/** The parts of ARM and Graph objects the portal shows. */
export interface Subscription {
  subscriptionId: string;
  displayName: string;
  state: string;
}

export interface ResourceGroup {
  id: string;
  name: string;
  location: string;
}

export interface Account {
  id: string;
  name: string;
  kind: string;
  location: string;
  sku?: { name: string };
  properties: {
    endpoint?: string;
    endpoints?: Record<string, string>;
    disableLocalAuth?: boolean;
    provisioningState?: string;
  };
}

export interface Deployment {
  id: string;
  name: string;
  sku?: { name: string; capacity?: number };
  properties: { model: { format: string; name: string; version: string }; provisioningState?: string };
}

export interface CatalogModel {
  format: string;
  name: string;
  version: string;
  capabilities?: Record<string, string>;
}

export interface RoleDefinition {
  id: string;
  name: string;
  properties: {
    roleName: string;
    description?: string;
    type: string;
    permissions: { actions: string[]; notActions: string[]; dataActions?: string[]; notDataActions?: string[] }[];
    assignableScopes: string[];
  };
}

export interface RoleAssignment {
  id: string;
  name: string;
  properties: {
    scope: string;
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    description?: string | null;
    condition?: string | null;
  };
}

export interface DirectoryObject {
  id: string;
  "@odata.type"?: string;
  displayName?: string;
  userPrincipalName?: string;
  appId?: string;
  mail?: string | null;
  servicePrincipalType?: string;
}

/** ARM paths the portal builds, in one place. */
export const paths = {
  subscription: (sub: string) => `/subscriptions/${sub}`,
  group: (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`,
  accounts: (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.CognitiveServices/accounts`,
  account: (sub: string, rg: string, name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.CognitiveServices/accounts/${name}`,
  portalAccount: (sub: string, rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/accounts/${name}`,
};
