import { SignJWT } from "jose";
import type { Clock } from "../core/clock.ts";
import type { TokenUser } from "./identity-source.ts";
import type { KeyRing } from "./signing-keys.ts";

interface IdTokenRequest {
  /** The discovery `issuer` of the authority the client used (`{origin}/adfs`, `{origin}/{tid}/v2.0`, …). */
  issuer: string;
  version: "1.0" | "2.0";
  tenantId: string;
  clientId: string;
  user: TokenUser;
  authMethods: string[];
  nonce?: string;
  lifetimeSeconds: number;
}

/**
 * An OpenID Connect id token for a signed-in user. The Azure CLI decodes it without verification and needs
 * `aud` = its client id, `iss` = the discovery issuer, `sub`, `tid` and `preferred_username`/`upn`
 * (docs/protocol-notes.md, "The id token"), so every user grant that asked for `openid` gets one.
 */
export async function mintIdToken(keys: KeyRing, clock: Clock, request: IdTokenRequest): Promise<string> {
  const now = Math.floor(clock.now() / 1000);
  const key = keys.active();
  const { user } = request;
  return new SignJWT({
    oid: user.id,
    tid: request.tenantId,
    preferred_username: user.userPrincipalName,
    upn: user.userPrincipalName,
    unique_name: user.userPrincipalName,
    name: user.displayName,
    amr: request.authMethods,
    ver: request.version,
    ...(request.nonce ? { nonce: request.nonce } : {}),
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid, x5t: key.kid })
    .setIssuer(request.issuer)
    .setAudience(request.clientId)
    .setSubject(user.id)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + request.lifetimeSeconds)
    .sign(key.privateKey);
}
