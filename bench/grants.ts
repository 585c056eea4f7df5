/**
 * The tokens the benches ask a running server for, as plain form posts to its token endpoint: a bench mints them
 * outside what it measures, and `@azure/identity` (the tests' way) would hand back a cached token where a bench
 * needs a fresh one.
 */
import { AZURE_CLI_CLIENT_ID, COGNITIVE_SCOPE } from "../test/harness/clients.ts";
import { ADMIN_PASSWORD, type ReadyFacts } from "../test/harness/keyless-process.ts";

/** POSTs `form` to the server's token endpoint; the access token, or an error with the answer. */
async function requestToken(facts: ReadyFacts, form: Record<string, string>): Promise<string> {
  const url = `${facts.url}/${facts.tenantId}/oauth2/v2.0/token`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The bootstrap administrator's token for `scope` (password grant, as `az login -u -p`). */
export function adminToken(facts: ReadyFacts, scope: string): Promise<string> {
  return requestToken(facts, {
    grant_type: "password",
    client_id: AZURE_CLI_CLIENT_ID,
    username: facts.adminUsername,
    password: ADMIN_PASSWORD,
    scope,
  });
}

/** A new data-plane token for a registered application (client credentials with its secret). */
export function clientCredentialsToken(facts: ReadyFacts, app: { appId: string; secret: string }): Promise<string> {
  return requestToken(facts, { grant_type: "client_credentials", client_id: app.appId, client_secret: app.secret, scope: COGNITIVE_SCOPE });
}
