/**
 * Sign-in with Keyless's own authorization-code + PKCE flow, as a public client (the portal's first-party client
 * id). Tokens live in memory only: a reload signs in again. Only the PKCE verifier and the state travel through
 * sessionStorage, because the browser leaves the page for the sign-in form and comes back. One refresh token
 * (rotated on every use) buys access tokens for each surface the portal calls.
 */
const PORTAL_CLIENT_ID = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";

export type Audience = "arm" | "graph" | "data";
const SCOPES: Record<Audience, string> = {
  arm: "https://management.azure.com/.default",
  graph: "https://graph.microsoft.com/.default",
  data: "https://cognitiveservices.azure.com/.default",
};
const PENDING = "keyless-portal-pkce";
/** Refresh this long before an access token expires, so a call never leaves with one about to lapse. */
const EARLY_MS = 60_000;

export interface SignedInUser {
  name: string;
  username: string;
  objectId: string;
  tenantId: string;
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  error?: string;
  error_description?: string;
}

let refreshToken: string | undefined;
let user: SignedInUser | undefined;
let tenantId = "organizations";
const accessTokens = new Map<Audience, { token: string; expiresAt: number }>();
let queue: Promise<unknown> = Promise.resolve();
const listeners = new Set<() => void>();

export class SessionExpiredError extends Error {}

export const currentUser = (): SignedInUser | undefined => user;
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
const changed = () => {
  for (const listener of listeners) listener();
};

const redirectUri = () => `${location.origin}/portal/`;
const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/** Leaves for the sign-in page; `returnTo` is where the portal opens after it. */
export async function signIn(returnTo: string): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(`${location.origin}/organizations/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({
    client_id: PORTAL_CLIENT_ID,
    response_type: "code",
    redirect_uri: redirectUri(),
    scope: `${SCOPES.arm} openid profile offline_access`,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

/** Completes a sign-in when the page was opened by the sign-in redirect; returns where to go next. */
export async function completeSignIn(): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  const pending = sessionStorage.getItem(PENDING);
  if (!code || !pending) return undefined;
  sessionStorage.removeItem(PENDING);
  const { verifier, state, returnTo } = JSON.parse(pending) as { verifier: string; state: string; returnTo: string };
  if (params.get("state") !== state) throw new Error("The sign-in response does not match the request (state); sign in again.");
  const response = await tokenRequest({
    grant_type: "authorization_code",
    client_id: PORTAL_CLIENT_ID,
    code,
    redirect_uri: redirectUri(),
    code_verifier: verifier,
    scope: `${SCOPES.arm} openid profile offline_access`,
  });
  const claims = JSON.parse(atob(response.id_token!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, string>;
  user = {
    name: claims.name ?? claims.preferred_username ?? "",
    username: claims.preferred_username ?? "",
    objectId: claims.oid ?? "",
    tenantId: claims.tid ?? "",
  };
  tenantId = user.tenantId;
  keep("arm", response);
  changed();
  return returnTo;
}

let endReason: string | undefined;
/** Why the last session ended when the user did not sign out (an expired or revoked refresh token). */
export const sessionEndReason = () => endReason;

export function signOut(reason?: string): void {
  endReason = reason;
  refreshToken = undefined;
  user = undefined;
  accessTokens.clear();
  changed();
}

/** An access token for one surface, refreshed (one refresh at a time: each use rotates the refresh token). */
export function accessToken(audience: Audience): Promise<string> {
  const run = queue.then(async () => {
    const cached = accessTokens.get(audience);
    if (cached && cached.expiresAt - EARLY_MS > Date.now()) return cached.token;
    if (!refreshToken) throw new SessionExpiredError("You are signed out.");
    try {
      const response = await tokenRequest({
        grant_type: "refresh_token",
        client_id: PORTAL_CLIENT_ID,
        refresh_token: refreshToken,
        scope: `${SCOPES[audience]} offline_access`,
      });
      return keep(audience, response);
    } catch (err) {
      const message = `Your session has ended (${(err as Error).message}). Sign in again.`;
      signOut(message);
      throw new SessionExpiredError(message);
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

function keep(audience: Audience, response: TokenResponse): string {
  if (response.refresh_token) refreshToken = response.refresh_token;
  accessTokens.set(audience, { token: response.access_token, expiresAt: Date.now() + response.expires_in * 1000 });
  return response.access_token;
}

async function tokenRequest(form: Record<string, string>): Promise<TokenResponse> {
  const response = await fetch(`/${tenantId}/oauth2/v2.0/token`, { method: "POST", body: new URLSearchParams(form) });
  const body = (await response.json()) as TokenResponse;
  if (!response.ok) throw new Error(body.error_description ?? body.error ?? `token request failed (${response.status})`);
  return body;
}
