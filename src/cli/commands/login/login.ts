import { resolve } from "node:path";
import { API_VERSIONS, createKeylessClient } from "../../../client/keyless-client.ts";
import { managedIdentityAvailable, managedIdentityToken } from "../../../client/managed-identity.ts";
import { RestError } from "../../../client/rest-error.ts";
import { createTokenClient, type Grant, RESOURCES, type TokenSet } from "../../../client/token-client.ts";
import { CliError, UsageError } from "../../cli-error.ts";
import { type Context, command, type OptionValues } from "../../command.ts";
import type { Account, Cloud } from "../../profile.ts";
import { LOGIN_RESOURCES, requireCloud } from "../../session.ts";

export const options = {
  username: { type: "string", short: "u", help: "User name, or the application (client) id with --service-principal." },
  password: { type: "string", short: "p", help: "Password, or the client secret with --service-principal." },
  "service-principal": { type: "boolean", help: "The credential is a service principal's application id and secret." },
  certificate: { type: "string", help: "With --service-principal: a PEM file with the certificate and its private key, instead of -p." },
  tenant: { type: "string", short: "t", help: "The tenant (id or domain). Default: the server's default tenant." },
  "use-device-code": { type: "boolean", help: "Sign in with a code on another device (the default without -u/-p)." },
  identity: {
    type: "boolean",
    help: "Sign in as this machine's managed identity (IDENTITY_ENDPOINT/IDENTITY_HEADER or MSI_ENDPOINT); -u CLIENT_ID picks a user-assigned one.",
  },
  "allow-no-subscriptions": { type: "boolean", help: "Sign in even when the principal can see no subscription." },
} as const;

export const spec = command({
  path: ["login"],
  summary: "Log in to the active Keyless cloud.",
  options,
  examples: [
    { text: "Log in as a user with a password.", command: "keyless login -u admin@contoso.keyless -p PASSWORD" },
    { text: "Log in as a service principal.", command: "keyless login --service-principal -u APP_ID -p SECRET --tenant TENANT_ID" },
    {
      text: "Log in as a service principal with a certificate.",
      command: "keyless login --service-principal -u APP_ID --certificate sp.pem --tenant TENANT_ID",
    },
    { text: "Log in with a device code.", command: "keyless login" },
    { text: "Log in as the managed identity of the machine.", command: "keyless login --identity" },
  ],
  async run(opts, ctx) {
    const cloud = requireCloud(ctx.profile);
    rejectEmptyValues(opts);
    if (opts.identity) return loginWithIdentity(ctx, cloud, opts.username, opts["allow-no-subscriptions"] === true);
    const tenant = opts.tenant ?? "organizations";
    const credential = credentialGrant(opts);
    const tokens = createTokenClient(ctx.transport(), cloud.endpoint);
    const kind = opts["service-principal"] ? "servicePrincipal" : "user";
    const first: { grant: Grant; username: string | undefined; armToken?: TokenSet } = credential
      ? { grant: credential, username: credential.kind === "password" ? credential.username : credential.clientId }
      : { ...(await deviceCodeGrant(ctx, tokens, tenant)), username: undefined };
    const { tokens: acquired, refreshToken } = await acquireAll(tokens, tenant, first.grant, first.armToken);
    const claims = decodeClaims(acquired[RESOURCES.arm]!.accessToken);
    const username = first.username ?? String(claims.upn ?? claims.unique_name ?? claims.oid);
    const tenantId = String(claims.tid ?? tenant);
    ctx.profile.putCredential(cloud.name, {
      kind,
      tenantId,
      username,
      ...(credential?.kind === "client_certificate" ? { certificatePath: credential.certificatePath } : {}),
      ...(credential?.kind === "client_credentials" ? { clientSecret: credential.clientSecret } : {}),
      refreshToken,
      tokens: Object.fromEntries(Object.entries(acquired).map(([r, t]) => [r, { accessToken: t.accessToken, expiresOn: t.expiresOn }])),
    });
    const accounts = await listAccounts(ctx, cloud, acquired[RESOURCES.arm]!.accessToken, { name: username, type: kind }, tenantId);
    if (accounts.length === 0 && !opts["allow-no-subscriptions"]) {
      ctx.profile.removeUser(cloud.name, username);
      throw new CliError(
        `No subscriptions found for ${username}. Ask for a role assignment on a subscription or resource, or pass --allow-no-subscriptions.`,
        { code: "NoSubscriptions" },
      );
    }
    ctx.profile.putAccounts(cloud.name, username, accounts);
    return ctx.profile.accounts(cloud.name).filter((a) => a.user.name === username);
  },
});

/**
 * `-u "$APP_ID"` in a shell where the variable is not set must not read as "no -u" (a device-code sign-in, or the
 * system-assigned identity): an empty value is a usage error, as an empty password is.
 */
function rejectEmptyValues(opts: OptionValues<typeof options>): void {
  if (opts.username === "") {
    const what = opts.identity
      ? "the client id of the user-assigned identity"
      : opts["service-principal"]
        ? "the application (client) id"
        : "the user name";
    throw new UsageError(`argument --username/-u: ${what} is empty (is the variable you passed set in this shell?).`);
  }
  if (opts.certificate === "") {
    throw new UsageError("argument --certificate: the file name is empty (is the variable you passed set in this shell?).");
  }
}

/**
 * The grant `-u`, `-p`, `--certificate` and `--service-principal` ask for (a service principal's certificate or
 * secret, a user's password), or undefined for a device-code sign-in; usage errors for combinations that ask for none.
 */
function credentialGrant(
  opts: OptionValues<typeof options>,
): Extract<Grant, { kind: "client_certificate" | "client_credentials" | "password" }> | undefined {
  const { username, password, certificate } = opts;
  // `-p "$KEYLESS_ADMIN_PASSWORD"` in a shell where the variable is not set: say so instead of sending nothing.
  if (password === "") {
    throw new UsageError(
      opts["service-principal"]
        ? "argument --password/-p: the secret is empty (is the variable you passed set in this shell?)."
        : "argument --password/-p: the password is empty (is the variable you passed set in this shell?). The administrator's password is KEYLESS_ADMIN_PASSWORD of the server's first start, or the one start-up printed as generated; change it with 'keyless ad user update --password'.",
    );
  }
  if (opts["service-principal"]) {
    if (username && certificate) return { kind: "client_certificate", clientId: username, certificatePath: resolve(certificate) };
    if (username && password) return { kind: "client_credentials", clientId: username, clientSecret: password };
    throw new UsageError("--service-principal needs -u APP_ID and -p SECRET or --certificate PEM (and --tenant TENANT).");
  }
  if (certificate) throw new UsageError("--certificate goes with --service-principal.");
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError("Give both -u USER and -p PASSWORD, or neither to sign in with a device code.");
  }
  return username && password !== undefined ? { kind: "password", username, password } : undefined;
}

/**
 * Tokens for ARM, Graph and Cognitive Services at once: the first with the grant, the others with the newest
 * refresh token when the server gives one (they rotate), else with the grant again.
 */
async function acquireAll(
  tokens: ReturnType<typeof createTokenClient>,
  tenant: string,
  grant: Grant,
  armToken?: TokenSet,
): Promise<{ tokens: Record<string, TokenSet>; refreshToken: string | undefined }> {
  const result: Record<string, TokenSet> = {};
  result[RESOURCES.arm] = armToken ?? (await tokens.token(tenant, grant, RESOURCES.arm));
  let refreshToken =
    grant.kind === "client_credentials" || grant.kind === "client_certificate" ? undefined : result[RESOURCES.arm]!.refreshToken;
  for (const resource of LOGIN_RESOURCES.filter((r) => r !== RESOURCES.arm)) {
    if (grant.kind === "device_code" && !refreshToken) {
      throw new CliError(
        "The server returned no refresh token after the device-code sign-in, so no token for other resources can be had. Use -u/-p.",
        { code: "NoRefreshToken" },
      );
    }
    result[resource] = await tokens.token(tenant, refreshToken ? { kind: "refresh_token", refreshToken } : grant, resource);
    refreshToken = result[resource]!.refreshToken ?? refreshToken;
  }
  return { tokens: result, refreshToken };
}

async function deviceCodeGrant(
  ctx: Context,
  tokens: ReturnType<typeof createTokenClient>,
  tenant: string,
): Promise<{ grant: Grant; armToken: TokenSet }> {
  const challenge = await tokens.startDeviceCode(tenant, RESOURCES.arm);
  ctx.io.stderr(`${challenge.message}\n`);
  const sleep = ctx.io.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + challenge.expiresIn * 1000;
  while (Date.now() < deadline) {
    await sleep(challenge.interval * 1000);
    try {
      const grant: Grant = { kind: "device_code", deviceCode: challenge.deviceCode };
      return { grant, armToken: await tokens.token(tenant, grant, RESOURCES.arm) };
    } catch (err) {
      if (err instanceof RestError && (err.code === "authorization_pending" || err.code === "slow_down")) continue;
      throw err;
    }
  }
  throw new CliError("The device code expired before sign-in completed. Run 'keyless login' again.", { code: "expired_token" });
}

function decodeClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1];
  return payload ? (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>) : {};
}

async function listAccounts(ctx: Context, cloud: Cloud, armToken: string, user: Account["user"], tenantId: string): Promise<Account[]> {
  const client = createKeylessClient(ctx.transport(), cloud.endpoint, async () => armToken);
  const subscriptions = (await client.list("arm", "/subscriptions", { "api-version": API_VERSIONS.subscriptions })) as {
    subscriptionId: string;
    displayName: string;
    state: string;
    tenantId?: string;
  }[];
  return subscriptions.map((s) => ({
    cloudName: cloud.name,
    id: s.subscriptionId,
    name: s.displayName,
    state: s.state,
    tenantId: s.tenantId ?? tenantId,
    homeTenantId: s.tenantId ?? tenantId,
    isDefault: false,
    user,
  }));
}

/** `login --identity`: tokens from the managed identity endpoint for each resource; renewed the same way later. */
async function loginWithIdentity(
  ctx: Context,
  cloud: Cloud,
  clientId: string | undefined,
  allowNoSubscriptions: boolean,
): Promise<Account[]> {
  if (!managedIdentityAvailable(ctx.io.env)) {
    throw new UsageError(
      "--identity needs a managed identity endpoint in the environment: IDENTITY_ENDPOINT and IDENTITY_HEADER, or MSI_ENDPOINT.",
    );
  }
  const tokens: Record<string, TokenSet> = {};
  for (const resource of LOGIN_RESOURCES) tokens[resource] = await managedIdentityToken(ctx.transport(), ctx.io.env, resource, clientId);
  const claims = decodeClaims(tokens[RESOURCES.arm]!.accessToken);
  const tenantId = String(claims.tid);
  const username = clientId ?? "systemAssignedIdentity";
  ctx.profile.putCredential(cloud.name, { kind: "managedIdentity", tenantId, username, identityClientId: clientId, tokens });
  const accounts = await listAccounts(
    ctx,
    cloud,
    tokens[RESOURCES.arm]!.accessToken,
    { name: username, type: "servicePrincipal" },
    tenantId,
  );
  if (accounts.length === 0 && !allowNoSubscriptions) {
    ctx.profile.removeUser(cloud.name, username);
    throw new CliError(
      "No access was configured for this managed identity, hence no subscriptions were found. Ask for a role assignment on a subscription or resource, or pass --allow-no-subscriptions.",
      { code: "NoSubscriptions" },
    );
  }
  ctx.profile.putAccounts(cloud.name, username, accounts);
  return ctx.profile.accounts(cloud.name).filter((a) => a.user.name === username);
}
