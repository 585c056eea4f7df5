import { createHash } from "node:crypto";
import { decodeProtectedHeader, errors as joseErrors, type JWTPayload, jwtVerify } from "jose";
import type { Clock } from "../core/clock.ts";
import type { KeyRing } from "./signing-keys.ts";

export type TokenRejection = "missing" | "malformed" | "bad-signature" | "expired" | "not-yet-valid" | "wrong-audience" | "wrong-issuer";

/** Why an incoming token was refused; each surface words it in its own catalog. */
export class TokenRejectedError extends Error {
  readonly reason: TokenRejection;
  readonly claims: JWTPayload | undefined;
  constructor(reason: TokenRejection, message: string, claims?: JWTPayload) {
    super(message);
    this.reason = reason;
    this.claims = claims;
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
}

const CACHE_LIMIT = 10_000;
const CLOCK_SKEW_SECONDS = 300;

/**
 * Validates our own tokens. Verified tokens are cached by a hash of the token, so a repeat caller costs a hash
 * and a map look-up instead of an RSA verification; expiry and audience are still checked on every call.
 */
export function createTokenValidator(keys: KeyRing, clock: Clock): TokenValidator {
  const verified = new Map<string, ValidatedToken>();

  async function verify(token: string): Promise<ValidatedToken> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new TokenRejectedError("malformed", "The access token is not a well-formed JWT.");
    }
    const key = kid === undefined ? undefined : keys.publicKey(kid);
    if (!key) throw new TokenRejectedError("bad-signature", "The access token was not signed by a key this service trusts.");
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ["RS256"], currentDate: new Date(clock.now()), clockTolerance: CLOCK_SKEW_SECONDS });
      return toValidated(payload);
    } catch (err) {
      throw translate(err);
    }
  }

  return {
    async validate(token, audiences) {
      if (token === undefined || token === "") throw new TokenRejectedError("missing", "No access token was presented.");
      const cacheKey = createHash("sha256").update(token).digest("base64url");
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
        throw new TokenRejectedError("wrong-audience", `The access token was issued for audience '${result.audience}'.`);
      }
      return result;
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
    tenantId, objectId, audience, issuer,
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
