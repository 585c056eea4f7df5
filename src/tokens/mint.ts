import { SignJWT } from "jose";
import type { Clock } from "../core/clock.ts";
import { newGuid } from "../core/ids.ts";
import type { KeyRing } from "./signing-keys.ts";

/** Who a token is for: an application acting as itself, or a user through a client application. */
export type TokenSubject =
  | {
      kind: "app";
      objectId: string;
      appId: string;
      displayName: string;
      credential: "secret" | "certificate" | "none";
      managedIdentityResourceId?: string;
    }
  | { kind: "user"; objectId: string; userPrincipalName: string; displayName: string; clientAppId: string; authMethods: string[] };

interface MintRequest {
  issuer: string;
  tenantId: string;
  audience: string;
  subject: TokenSubject;
  /** Delegated scopes (user tokens) — `scp`. */
  scopes: string[];
  lifetimeSeconds: number;
}

export interface MintedToken {
  token: string;
  expiresOn: number;
  expiresIn: number;
}

const APPIDACR = { none: "0", secret: "1", certificate: "2" } as const;

/** Mints an Entra v1 access token (first-party resources get v1 tokens in Entra too). */
export async function mintAccessToken(keys: KeyRing, clock: Clock, request: MintRequest): Promise<MintedToken> {
  const now = Math.floor(clock.now() / 1000);
  const exp = now + request.lifetimeSeconds;
  const key = keys.active();
  const token = await new SignJWT(claimsFor(request))
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid, x5t: key.kid })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(exp)
    .sign(key.privateKey);
  return { token, expiresOn: exp, expiresIn: request.lifetimeSeconds };
}

function claimsFor(request: MintRequest): Record<string, unknown> {
  const { subject } = request;
  const common = {
    tid: request.tenantId,
    oid: subject.objectId,
    sub: subject.objectId,
    uti: newGuid().replaceAll("-", ""),
    ver: "1.0",
    xms_cc: ["CP1"],
  };
  if (subject.kind === "app") {
    return {
      ...common,
      appid: subject.appId,
      appidacr: APPIDACR[subject.credential],
      idtyp: "app",
      app_displayname: subject.displayName,
      ...(subject.managedIdentityResourceId ? { xms_mirid: subject.managedIdentityResourceId } : {}),
    };
  }
  return {
    ...common,
    appid: subject.clientAppId,
    appidacr: "0",
    idtyp: "user",
    amr: subject.authMethods,
    name: subject.displayName,
    upn: subject.userPrincipalName,
    unique_name: subject.userPrincipalName,
    scp: request.scopes.length > 0 ? request.scopes.join(" ") : "user_impersonation",
  };
}
