import type { FastifyRequest } from "fastify";
import { withDetails } from "../core/errors.ts";
import { dataPlaneError } from "../inference/data-plane-errors.ts";
import type { AccountView, DataPlaneCaller, DataPlaneDeps } from "../inference/data-plane.ts";
import { resourceAudiences } from "../tokens/audiences.ts";
import { TokenRejectedError, type TokenValidator } from "../tokens/validator.ts";
import { bearerToken } from "./request-origin.ts";

/**
 * Who is calling: a Microsoft Entra-style token (audience https://cognitiveservices.azure.com or
 * https://ai.azure.com), or an account key in `api-key` / `Ocp-Apim-Subscription-Key`. The Azure SDKs send a key
 * as both `api-key` and `Authorization: Bearer <key>`, and Foundry documents a key as a bearer; so a bearer that
 * is not a JWT, or equals the api-key header, is a key too.
 */
export async function authenticateCaller(
  request: FastifyRequest,
  account: AccountView,
  validator: TokenValidator,
  deps: DataPlaneDeps,
): Promise<DataPlaneCaller> {
  const bearer = bearerToken(request);
  const key = keyOf(request, bearer);
  if (key !== undefined) return authenticateKey(account, key, deps);
  try {
    const token = await validator.validate(bearer, resourceAudiences.cognitive);
    return { principalId: token.objectId, displayName: token.userPrincipalName ?? token.objectId, via: "token" };
  } catch (err) {
    if (err instanceof TokenRejectedError) throw dataPlaneError("Unauthorized", err.message);
    throw err;
  }
}

function keyOf(request: FastifyRequest, bearer: string | undefined): string | undefined {
  const header = request.headers["api-key"] ?? request.headers["ocp-apim-subscription-key"];
  const key = Array.isArray(header) ? header[0] : header;
  if (key !== undefined && key !== "") return key;
  if (bearer !== undefined && bearer !== "" && !looksLikeJwt(bearer)) return bearer;
  return undefined;
}

const looksLikeJwt = (value: string) => value.split(".").length === 3;

async function authenticateKey(account: AccountView, key: string, deps: DataPlaneDeps): Promise<DataPlaneCaller> {
  if (account.disableLocalAuth) throw dataPlaneError("AuthenticationTypeDisabled");
  if (!(await deps.verifyAccountKey(account.id, key))) {
    throw withDetails(dataPlaneError("InvalidSubscriptionKey"), {
      explanation: `The credential was read as a key of account '${account.name}' (an api-key or Ocp-Apim-Subscription-Key header, or a bearer that is not a JWT) and matches neither key. To use Microsoft Entra ID instead, send only 'Authorization: Bearer <token>'.`,
    });
  }
  return { principalId: `key:${account.name}`, displayName: `key of ${account.name}`, via: "key" };
}
