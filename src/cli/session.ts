import { createKeylessClient } from "../client/keyless-client.ts";
import { managedIdentityAvailable, managedIdentityToken } from "../client/managed-identity.ts";
import { createTokenClient, RESOURCES, type TokenSet } from "../client/token-client.ts";
import type { Transport } from "../client/transport.ts";
import { CliError } from "./cli-error.ts";
import type { Account, Cloud, Credential, Profile } from "./profile.ts";

/** Tokens are renewed when fewer than this many seconds remain, as MSAL does. */
const RENEW_BEFORE_SECONDS = 300;

export function requireCloud(profile: Profile): Cloud {
  const cloud = profile.activeCloud();
  if (!cloud) {
    throw new CliError(
      "No cloud is selected. Register your server with 'keyless cloud register -n NAME --endpoint URL --ca-file CA.pem', then 'keyless cloud set -n NAME'.",
      { code: "CloudNotSet" },
    );
  }
  return cloud;
}

/** The account `--subscription` names (id or name), else the default one. */
export function selectAccount(profile: Profile, cloud: Cloud, subscription: string | undefined): Account {
  const accounts = profile.accounts(cloud.name);
  if (accounts.length === 0) throw new CliError("Please run 'keyless login' to setup account.", { code: "NotLoggedIn" });
  if (subscription === undefined) return accounts.find((a) => a.isDefault) ?? accounts[0]!;
  const match = accounts.find((a) => a.id.toLowerCase() === subscription.toLowerCase() || a.name === subscription);
  if (!match)
    throw new CliError(
      `Subscription '${subscription}' not found. Check the spelling and casing and try again, or run 'keyless account list'.`,
      { code: "SubscriptionNotFound" },
    );
  return match;
}

/** A token for a resource from the cache, renewed with the refresh token or the service principal's secret. */
export async function tokenFor(
  profile: Profile,
  transport: Transport,
  cloud: Cloud,
  username: string,
  resource: string,
  env: Env = {},
): Promise<string> {
  const credential = profile.credential(cloud.name, username);
  if (!credential) throw new CliError(`No credential is cached for '${username}'. Run 'keyless login' again.`, { code: "NotLoggedIn" });
  const cached = credential.tokens[resource];
  if (cached && cached.expiresOn - RENEW_BEFORE_SECONDS > Date.now() / 1000) return cached.accessToken;
  const fresh = await renew(transport, cloud, credential, resource, env);
  profile.putCredential(cloud.name, {
    ...credential,
    refreshToken: fresh.refreshToken ?? credential.refreshToken,
    tokens: { ...credential.tokens, [resource]: { accessToken: fresh.accessToken, expiresOn: fresh.expiresOn } },
  });
  return fresh.accessToken;
}

type Env = Readonly<Record<string, string | undefined>>;

async function renew(transport: Transport, cloud: Cloud, credential: Credential, resource: string, env: Env): Promise<TokenSet> {
  if (credential.kind === "managedIdentity") {
    if (!managedIdentityAvailable(env))
      throw new CliError(
        "Signed in with --identity, but no managed identity endpoint is set any more (IDENTITY_ENDPOINT/IDENTITY_HEADER or MSI_ENDPOINT).",
        { code: "ManagedIdentityUnavailable" },
      );
    return managedIdentityToken(transport, env, resource, credential.identityClientId);
  }
  const tokens = createTokenClient(transport, cloud.endpoint);
  if (credential.kind === "servicePrincipal" && credential.certificatePath) {
    return tokens.token(
      credential.tenantId,
      { kind: "client_certificate", clientId: credential.username, certificatePath: credential.certificatePath },
      resource,
    );
  }
  if (credential.kind === "servicePrincipal" && credential.clientSecret) {
    return tokens.token(
      credential.tenantId,
      { kind: "client_credentials", clientId: credential.username, clientSecret: credential.clientSecret },
      resource,
    );
  }
  if (credential.refreshToken)
    return tokens.token(credential.tenantId, { kind: "refresh_token", refreshToken: credential.refreshToken }, resource);
  throw new CliError(`The access token for '${resource}' has expired and the server gave no refresh token. Run 'keyless login' again.`, {
    code: "TokenExpired",
  });
}

/** The client for the selected account. */
export function sessionClient(profile: Profile, transport: Transport, subscription: string | undefined, env: Env = {}) {
  const cloud = requireCloud(profile);
  const account = selectAccount(profile, cloud, subscription);
  const client = createKeylessClient(transport, cloud.endpoint, (resource) =>
    tokenFor(profile, transport, cloud, account.user.name, resource, env),
  );
  return { client, subscriptionId: account.id, tenantId: account.tenantId };
}

export const LOGIN_RESOURCES = [RESOURCES.arm, RESOURCES.graph, RESOURCES.cognitive];
