import { ClientSecretCredential, UsernamePasswordCredential } from "@azure/identity";
import { ADMIN_PASSWORD, type ReadyFacts } from "./keyless-process.ts";
import { RoleIds } from "./role-ids.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected field by field in assertions.
export type Json = any;

export const AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
export const ARM_SCOPE = "https://management.core.windows.net//.default";
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
export const COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default";

/** The bootstrap administrator signed in through the unmodified @azure/identity (ROPC, as `az login -u -p`). */
export function adminCredential(facts: ReadyFacts): UsernamePasswordCredential {
  return new UsernamePasswordCredential(facts.tenantId, AZURE_CLI_CLIENT_ID, facts.adminUsername, ADMIN_PASSWORD, {
    authorityHost: facts.url,
    disableInstanceDiscovery: true,
  });
}

export function appCredential(facts: ReadyFacts, appId: string, secret: string): ClientSecretCredential {
  return new ClientSecretCredential(facts.tenantId, appId, secret, { authorityHost: facts.url, disableInstanceDiscovery: true });
}

/** A JSON call to one of our surfaces with a bearer token. */
export async function call(
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

/** Registers an application with a secret and a service principal, through Graph, as the administrator. */
export async function registerApp(facts: ReadyFacts, adminGraphToken: string, displayName: string) {
  const graph = `${facts.url}/graph/v1.0`;
  const app = await call("POST", `${graph}/applications`, adminGraphToken, { displayName });
  const secret = await call("POST", `${graph}/applications/${app.body.id}/addPassword`, adminGraphToken, {
    passwordCredential: { displayName: "test" },
  });
  const sp = await call("POST", `${graph}/servicePrincipals`, adminGraphToken, { appId: app.body.appId });
  return {
    appId: app.body.appId as string,
    secret: secret.body.secretText as string,
    objectId: sp.body.id as string,
    applicationId: app.body.id as string,
  };
}

/** The resource id of the demo account the server creates at bootstrap. */
export function demoAccountId(facts: ReadyFacts): string {
  const { subscriptionId, demo } = facts;
  if (!demo) throw new Error("this server was started without the demo account");
  return `/subscriptions/${subscriptionId}/resourceGroups/${demo.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${demo.account}`;
}

export interface RoleGrant {
  /** Where the role applies: a subscription, resource group or resource id. */
  scope: string;
  /** A role definition GUID (see role-ids.ts). */
  role: string;
  principalId: string;
  principalType?: "User" | "Group" | "ServicePrincipal";
}

/** `PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{new guid}` as `az role assignment create` sends it. */
export function putRoleAssignment(facts: ReadyFacts, armToken: string, grant: RoleGrant) {
  return call(
    "PUT",
    `${facts.url}${grant.scope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
    armToken,
    {
      properties: {
        roleDefinitionId: `/subscriptions/${facts.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${grant.role}`,
        principalId: grant.principalId,
        ...(grant.principalType ? { principalType: grant.principalType } : {}),
      },
    },
  );
}

/** Assigns a role and fails unless ARM answers 201; returns the new assignment. */
export async function assignRole(facts: ReadyFacts, armToken: string, grant: RoleGrant): Promise<Json> {
  const put = await putRoleAssignment(facts, armToken, grant);
  if (put.status !== 201) throw new Error(`role assignment PUT answered ${put.status}: ${JSON.stringify(put.body)}`);
  return put.body;
}

/** Makes a directory object a member of a directory role (by template id), as an administrator does through Graph. */
export async function grantDirectoryRole(facts: ReadyFacts, graphToken: string, roleId: string, objectId: string): Promise<void> {
  const graph = `${facts.url}/graph/v1.0`;
  const granted = await call("POST", `${graph}/directoryRoles/${roleId}/members/$ref`, graphToken, {
    "@odata.id": `${graph}/directoryObjects/${objectId}`,
  });
  if (granted.status !== 204) throw new Error(`directory role grant answered ${granted.status}: ${JSON.stringify(granted.body)}`);
}

/** The bootstrap administrator's ARM and Graph tokens. */
export async function adminTokens(facts: ReadyFacts): Promise<{ arm: string; graph: string }> {
  const admin = adminCredential(facts);
  return { arm: (await admin.getToken(ARM_SCOPE))!.token, graph: (await admin.getToken(GRAPH_SCOPE))!.token };
}

export type App = Awaited<ReturnType<typeof registerApp>>;

/**
 * An application registered by the administrator that holds `role` (Cognitive Services User unless said) on the
 * demo account, with a data-plane token of its own: the caller most data-plane tests need.
 */
export async function demoAccountApp(
  facts: ReadyFacts,
  displayName: string,
  options: { tokens?: { arm: string; graph: string }; role?: string } = {},
): Promise<App & { token: string }> {
  const tokens = options.tokens ?? (await adminTokens(facts));
  const app = await registerApp(facts, tokens.graph, displayName);
  await assignRole(facts, tokens.arm, {
    scope: demoAccountId(facts),
    role: options.role ?? RoleIds.cognitiveServicesUser,
    principalId: app.objectId,
    principalType: "ServicePrincipal",
  });
  const token = (await appCredential(facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token;
  return { ...app, token };
}
