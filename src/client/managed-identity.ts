import type { TokenSet } from "./token-client.ts";
import type { Transport } from "./transport.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Whether the environment names a managed identity endpoint the CLI can use. */
export function managedIdentityAvailable(env: Env): boolean {
  return Boolean((env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER) || env.MSI_ENDPOINT);
}

/**
 * A token for the process's managed identity, by the protocol the environment offers: App Service
 * (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, GET, api-version 2019-08-01), else `MSI_ENDPOINT` (POST form with
 * `Metadata: true`, as `az login --identity` sends). `clientId` picks a user-assigned identity.
 */
export async function managedIdentityToken(transport: Transport, env: Env, resource: string, clientId?: string): Promise<TokenSet> {
  let body: unknown;
  if (env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER) {
    const url = new URL(env.IDENTITY_ENDPOINT);
    url.searchParams.set("api-version", "2019-08-01");
    url.searchParams.set("resource", resource);
    if (clientId) url.searchParams.set("client_id", clientId);
    body = (await transport.send({ method: "GET", url: url.toString(), headers: { "x-identity-header": env.IDENTITY_HEADER } })).body;
  } else if (env.MSI_ENDPOINT) {
    const form = new URLSearchParams({ resource, ...(clientId ? { client_id: clientId } : {}) });
    body = (await transport.send({ method: "POST", url: env.MSI_ENDPOINT, headers: { metadata: "true" }, body: form })).body;
  } else {
    throw new Error("No managed identity endpoint: set IDENTITY_ENDPOINT and IDENTITY_HEADER, or MSI_ENDPOINT.");
  }
  const answer = body as { access_token: string; expires_on?: string | number; expires_in?: string | number };
  const expiresOn =
    answer.expires_on !== undefined ? Number(answer.expires_on) : Math.floor(Date.now() / 1000) + Number(answer.expires_in ?? 3600);
  return { accessToken: answer.access_token, expiresOn };
}
