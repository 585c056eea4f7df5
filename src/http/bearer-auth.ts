import type { FastifyRequest } from "fastify";
import type { WireError } from "../core/errors.ts";
import { armError } from "../arm/arm-errors.ts";
import { TokenRejectedError, type TokenValidator, type ValidatedToken } from "../tokens/validator.ts";
import { bearerToken } from "./request-origin.ts";

/** Validates the bearer token of an ARM or Graph call, translating refusals into ARM's 401 codes. */
export async function authenticateArmStyle(
  validator: TokenValidator,
  request: FastifyRequest,
  audiences: readonly string[],
): Promise<ValidatedToken> {
  const token = bearerToken(request);
  try {
    return await validator.validate(token, audiences);
  } catch (err) {
    if (err instanceof TokenRejectedError) throw armRejection(err, token === undefined, audiences);
    throw err;
  }
}

function armRejection(err: TokenRejectedError, headerMissing: boolean, audiences: readonly string[]): WireError {
  switch (err.reason) {
    case "missing":
      return armError(
        "AuthenticationFailed",
        headerMissing ? "The 'Authorization' header is missing." : "The 'Authorization' header is provided in an invalid format.",
      );
    case "expired":
      return armError("ExpiredAuthenticationToken", err.message);
    case "wrong-audience":
      return armError("InvalidAuthenticationTokenAudience", err.audience ?? "", audiences.map((a) => `'${a}'`).join(","));
    default:
      return armError("InvalidAuthenticationToken", err.message);
  }
}
