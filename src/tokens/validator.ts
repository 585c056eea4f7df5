import { createHash } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, type JWTPayload, jwtVerify } from "jose";
import type { Clock } from "../core/clock.ts";
import { resourceAudiences } from "./audiences.ts";
import type { FederatedIssuer, Federation } from "./federation.ts";
import type { KeyRing } from "./signing-keys.ts";
import { outlives } from "./token-lifetime.ts";

type TokenRejection =
  | "missing"
  | "malformed"
  | "bad-signature"
  | "expired"
  | "not-yet-valid"
  | "wrong-audience"
  | "wrong-issuer"
  | "principal-disabled"
  | "principal-deleted"
  | "principal-unmapped";

/**
 * Why an incoming token was refused; each surface words it in its own catalog. `audience` is the token's audience
 * on a `wrong-audience` refusal (ARM's message names it).
 */
export class TokenRejectedError extends Error {
  readonly reason: TokenRejection;
  readonly claims: JWTPayload | undefined;
  readonly audience: string | undefined;
  constructor(reason: TokenRejection, message: string, claims?: JWTPayload, audience?: string) {
    super(message);
    this.reason = reason;
    this.claims = claims;
    this.audience = audience;
  }
}

export interface ValidatedToken {
  kind: "user" | "app";
  tenantId: string;
  objectId: string;
  appId: string;
  audience: string;
  issuer: string;
  expiresAt: number;
  userPrincipalName: string | undefined;
  displayName: string | undefined;
}

export interface TokenValidator {
  /** Verifies signature, issuer, expiry and that the audience is one of `audiences` (compared case-insensitively). */
  validate(token: string | undefined, audiences: readonly string[]): Promise<ValidatedToken>;
  /** Drops the cached status of one principal, or of every principal: the directory says it changed. */
  forgetPrincipals(objectId?: string): void;
}

const CACHE_LIMIT = 10_000;
const CLOCK_SKEW_SECONDS = 300;
/** Entra's tokens are a few KB; anything far larger is refused before any parsing (Node itself stops at 16 KB of headers). */
const MAX_TOKEN_LENGTH = 12 * 1024;
const PRINCIPAL_STATUS_TTL_MS = 5000;

/** Whether a token's principal still exists and may sign in (disabled users, deleted service principals). */
type PrincipalStatus = "active" | "disabled" | "deleted";

/** What is recorded about a refused token: never the token, only a short digest to correlate repeats. */
export interface TokenRejectionEvent {
  reason: TokenRejection;
  detail: string;
  tokenDigest: string | undefined;
  tenantId?: string;
  objectId?: string;
}

const FEDERATED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"];

interface TokenValidatorOptions {
  /** Trusted external issuers (federation file); their tokens are mapped onto our principals. */
  federation?: Federation;
  /** Longest lifetime accepted for a federated issuer's token (default one day). */
  federatedMaxLifetimeSeconds?: number;
  principalStatus?: (objectId: string) => Promise<PrincipalStatus>;
  onRejection?: (event: TokenRejectionEvent) => void;
}

/**
 * Validates our own tokens. Verified tokens are cached by a hash of the token, so a repeat caller costs a hash
 * and a map look-up instead of an RSA verification; expiry and audience are still checked on every call.
 */
export function createTokenValidator(keys: KeyRing, clock: Clock, options: TokenValidatorOptions = {}): TokenValidator {
  const verified = new Map<string, ValidatedToken>();
  const statuses = new Map<string, { status: PrincipalStatus; at: number }>();

  /** Principal status, cached briefly so a disabled user or deleted principal is refused within seconds. */
  async function principalStatus(objectId: string): Promise<PrincipalStatus> {
    if (!options.principalStatus) return "active";
    const cached = statuses.get(objectId);
    if (cached && clock.now() - cached.at < PRINCIPAL_STATUS_TTL_MS) return cached.status;
    const status = await options.principalStatus(objectId);
    if (statuses.size >= CACHE_LIMIT) statuses.clear();
    statuses.set(objectId, { status, at: clock.now() });
    return status;
  }

  async function verify(token: string): Promise<ValidatedToken> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new TokenRejectedError("malformed", "The access token is not a well-formed JWT.");
    }
    const key = kid === undefined ? undefined : keys.publicKey(kid);
    if (!key) {
      const federated = federatedIssuerOf(token);
      if (federated) return verifyFederated(token, federated);
      throw new TokenRejectedError("bad-signature", "The access token was not signed by a key this service trusts.");
    }
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ["RS256"],
        currentDate: new Date(clock.now()),
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      return toValidated(payload);
    } catch (err) {
      throw translate(err);
    }
  }

  /** The configured external issuer a token names, if any (looked at only when our own keys do not apply). */
  function federatedIssuerOf(token: string): FederatedIssuer | undefined {
    if (!options.federation) return undefined;
    try {
      const iss = decodeJwt(token).iss;
      return iss === undefined ? undefined : options.federation.find(iss);
    } catch {
      return undefined;
    }
  }

  /** A token from a trusted external IdP: its keys, an accepted audience, and a mapped subject. */
  async function verifyFederated(token: string, federated: FederatedIssuer): Promise<ValidatedToken> {
    let payload: JWTPayload;
    try {
      const keySet = await federated.keys();
      ({ payload } = await jwtVerify(token, keySet, {
        algorithms: FEDERATED_ALGORITHMS,
        issuer: federated.issuer,
        requiredClaims: ["exp", "aud"],
        currentDate: new Date(clock.now()),
        clockTolerance: CLOCK_SKEW_SECONDS,
      }));
    } catch (err) {
      throw translate(err);
    }
    const maxLifetime = options.federatedMaxLifetimeSeconds ?? 86_400;
    if (outlives(payload, maxLifetime, clock.now()))
      throw new TokenRejectedError(
        "malformed",
        `The access token's lifetime exceeds ${maxLifetime} seconds, the longest accepted from issuer '${federated.issuer}'.`,
        payload,
      );
    const audiences = typeof payload.aud === "string" ? [payload.aud] : (payload.aud ?? []);
    const kind = audiences.map((a) => federated.audiences.get(a)).find((k) => k !== undefined);
    if (!kind)
      throw new TokenRejectedError(
        "wrong-audience",
        `The access token was issued for audience '${audiences.join(", ")}', which issuer '${federated.issuer}' may not present here.`,
        payload,
        audiences.join(", "),
      );
    const subject = payload[federated.subjectClaim];
    const objectId = typeof subject === "string" ? federated.principals.get(subject) : undefined;
    if (!objectId)
      throw new TokenRejectedError(
        "principal-unmapped",
        `No Keyless principal is mapped to ${federated.subjectClaim} '${String(subject)}' of issuer '${federated.issuer}'.`,
        payload,
      );
    const str = (name: string) => (typeof payload[name] === "string" ? (payload[name] as string) : undefined);
    return {
      kind: str("idtyp") === "app" ? "app" : "user",
      tenantId: federated.tenantId,
      objectId,
      appId: str("azp") ?? str("appid") ?? "",
      audience: resourceAudiences[kind][0]!,
      issuer: federated.issuer,
      expiresAt: payload.exp!,
      userPrincipalName: str("preferred_username") ?? str("upn") ?? str("email"),
      displayName: str("name"),
    };
  }

  async function check(token: string | undefined, audiences: readonly string[], cacheKey: string | undefined): Promise<ValidatedToken> {
    if (token === undefined || token === "" || cacheKey === undefined)
      throw new TokenRejectedError("missing", "No access token was presented.");
    if (token.length > MAX_TOKEN_LENGTH)
      throw new TokenRejectedError("malformed", `The access token is longer than ${MAX_TOKEN_LENGTH} characters.`);
    let result = verified.get(cacheKey);
    if (!result) {
      result = await verify(token);
      if (verified.size >= CACHE_LIMIT) verified.clear();
      verified.set(cacheKey, result);
    }
    if (result.expiresAt + CLOCK_SKEW_SECONDS <= clock.now() / 1000) {
      verified.delete(cacheKey);
      throw new TokenRejectedError("expired", `The access token expired at ${new Date(result.expiresAt * 1000).toISOString()}.`);
    }
    const audience = result.audience.toLowerCase();
    if (!audiences.some((a) => a.toLowerCase() === audience)) {
      throw new TokenRejectedError(
        "wrong-audience",
        `The access token was issued for audience '${result.audience}'.`,
        undefined,
        result.audience,
      );
    }
    const status = await principalStatus(result.objectId);
    if (status === "disabled") throw new TokenRejectedError("principal-disabled", `The account '${result.objectId}' is disabled.`);
    if (status === "deleted")
      throw new TokenRejectedError(
        "principal-deleted",
        options.federation?.find(result.issuer)
          ? `The federation file maps this token's subject (issuer '${result.issuer}') to the principal '${result.objectId}', which does not exist in the tenant.`
          : `The principal '${result.objectId}' no longer exists in the tenant.`,
      );
    return result;
  }

  return {
    forgetPrincipals(objectId) {
      if (objectId === undefined) statuses.clear();
      else {
        statuses.delete(objectId);
        statuses.delete(objectId.toLowerCase());
      }
    },
    async validate(token, audiences) {
      const cacheKey = token ? createHash("sha256").update(token).digest("base64url") : undefined;
      try {
        return await check(token, audiences, cacheKey);
      } catch (err) {
        if (err instanceof TokenRejectedError && options.onRejection) {
          options.onRejection({
            reason: err.reason,
            detail: err.message,
            tokenDigest: cacheKey?.slice(0, 12),
            ...(typeof err.claims?.tid === "string" ? { tenantId: err.claims.tid } : {}),
            ...(typeof err.claims?.oid === "string" ? { objectId: err.claims.oid } : {}),
          });
        }
        throw err;
      }
    },
  };
}

function toValidated(payload: JWTPayload): ValidatedToken {
  const str = (name: string) => (typeof payload[name] === "string" ? (payload[name] as string) : undefined);
  const tenantId = str("tid");
  const objectId = str("oid");
  const audience = typeof payload.aud === "string" ? payload.aud : undefined;
  const issuer = payload.iss;
  if (!tenantId || !objectId || !audience || !issuer || payload.exp === undefined) {
    throw new TokenRejectedError("malformed", "The access token lacks one of the claims tid, oid, aud, iss or exp.", payload);
  }
  // Our issuers are `{origin}/{tenant}/` (v1) or `{origin}/{tenant}/v2.0`; the tenant must be the token's own.
  const path = issuer.replace(/^https:\/\/[^/]+/i, "");
  if (path !== `/${tenantId}/` && path !== `/${tenantId}/v2.0`) {
    throw new TokenRejectedError("wrong-issuer", `The access token's issuer '${issuer}' does not match its tenant '${tenantId}'.`, payload);
  }
  return {
    kind: str("idtyp") === "user" || str("scp") !== undefined ? "user" : "app",
    tenantId,
    objectId,
    audience,
    issuer,
    appId: str("appid") ?? str("azp") ?? "",
    expiresAt: payload.exp,
    userPrincipalName: str("upn") ?? str("preferred_username"),
    displayName: str("name"),
  };
}

function translate(err: unknown): TokenRejectedError {
  if (err instanceof TokenRejectedError) return err;
  if (err instanceof joseErrors.JWTExpired) {
    const exp = typeof err.payload.exp === "number" ? new Date(err.payload.exp * 1000).toISOString() : "an earlier time";
    return new TokenRejectedError("expired", `The access token expired at ${exp}.`, err.payload);
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === "nbf") {
    return new TokenRejectedError("not-yet-valid", "The access token is not valid yet (nbf is in the future).", err.payload);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new TokenRejectedError("bad-signature", "The access token's signature is invalid.");
  }
  return new TokenRejectedError("malformed", "The access token could not be parsed or verified.");
}
