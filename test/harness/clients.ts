import { ClientSecretCredential, UsernamePasswordCredential } from "@azure/identity";
import { ADMIN_PASSWORD, type ReadyFacts } from "./keyless-process.ts";

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
