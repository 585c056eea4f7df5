import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { WireError } from "../core/errors.ts";
import { newGuid } from "../core/ids.ts";
import { openIdConfiguration } from "../tokens/discovery.ts";
import { oauthError } from "../tokens/oauth-errors.ts";
import { handleTokenRequest } from "../tokens/token-endpoint.ts";
import { resolveTenant, type TokenRequest } from "../tokens/token-request.ts";
import { deviceAuthorization } from "../tokens/user-grants.ts";
import { authorizeRoutes } from "./authorize-page.ts";
import { DEVICE_LOGIN_PATH, deviceLoginRoutes } from "./device-login.ts";
import { limitBodies } from "./limits.ts";
import { managedIdentityRoutes } from "./managed-identity-routes.ts";
import { requestOrigin } from "./request-origin.ts";
import { noStore } from "./response-policy.ts";
import type { Services } from "./services.ts";
import { grantLabel } from "../telemetry/observers.ts";

type TenantParams = { tenant: string };

/** The token service: discovery (v1, v2, ADFS), JWKS and the token endpoint, on Entra's paths. */
export async function oauthSurface(app: FastifyInstance, services: Services): Promise<void> {
  limitBodies(app, services.limits.tokenBodyLimit);
  app.setErrorHandler((error, request, reply) => sendOAuthError(clientFault(error, services.limits.tokenBodyLimit), request, reply));
  // Every answer here but the public metadata may carry a token, a code or a sign-in page: none may be cached.
  app.addHook("onSend", async (request, reply) => {
    if (!/\/\.well-known\/|\/discovery\//.test(request.url)) noStore(reply);
  });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const tenantIdFor = async (segment: string) => (await resolveTenant(services.tokenService.identities, segment)).id;

  app.get<{ Params: TenantParams }>("/:tenant/v2.0/.well-known/openid-configuration", async (req) =>
    openIdConfiguration(requestOrigin(req), req.params.tenant, await tenantIdFor(req.params.tenant), "v2"),
  );
  app.get<{ Params: TenantParams }>("/:tenant/.well-known/openid-configuration", async (req) => {
    const adfs = req.params.tenant.toLowerCase() === "adfs";
    return openIdConfiguration(requestOrigin(req), req.params.tenant, await tenantIdFor(req.params.tenant), adfs ? "adfs" : "v1");
  });
  const jwks = async () => services.keys.jwks();
  app.get("/:tenant/discovery/v2.0/keys", jwks);
  app.get("/:tenant/discovery/keys", jwks);
  app.get("/common/discovery/keys", jwks);

  const tokenRequest = (req: FastifyRequest<{ Params: TenantParams }>, endpointVersion: "v1" | "v2"): TokenRequest => {
    const form = (typeof req.body === "object" && req.body !== null ? req.body : {}) as Record<string, string>;
    const basic = basicCredentials(req.headers.authorization);
    return { tenant: req.params.tenant, endpointVersion, origin: requestOrigin(req), form, sourceIp: req.ip, ...(basic ? { basic } : {}) };
  };
  const issue = async (req: FastifyRequest<{ Params: TenantParams }>, endpointVersion: "v1" | "v2") => {
    const request = tokenRequest(req, endpointVersion);
    const grant = grantLabel(request.form.grant_type);
    try {
      const answer = await handleTokenRequest(services.tokenService, request);
      services.metrics?.tokensIssued.inc({ grant, result: "issued" });
      return answer;
    } catch (err) {
      services.metrics?.tokensIssued.inc({ grant, result: err instanceof WireError ? err.code : "server_error" });
      throw err;
    }
  };
  app.post<{ Params: TenantParams }>("/:tenant/oauth2/v2.0/token", (req) => issue(req, "v2"));
  app.post<{ Params: TenantParams }>("/:tenant/oauth2/token", (req) => issue(req, "v1"));

  const deviceCode = async (req: FastifyRequest<{ Params: TenantParams }>, version: "v1" | "v2") => {
    const tenant = await resolveTenant(services.tokenService.identities, req.params.tenant);
    return deviceAuthorization(services.tokenService, tenant, tokenRequest(req, version), `${requestOrigin(req)}${DEVICE_LOGIN_PATH}`);
  };
  app.post<{ Params: TenantParams }>("/:tenant/oauth2/v2.0/devicecode", (req) => deviceCode(req, "v2"));
  app.post<{ Params: TenantParams }>("/:tenant/oauth2/devicecode", (req) => deviceCode(req, "v1"));
  await deviceLoginRoutes(app, services);
  await managedIdentityRoutes(app, services);
  await authorizeRoutes(app, services);
}

function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = header && /^Basic\s+(.+)$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** A framework's refusal (body too large, unreadable body, unsupported media type) in the token service's catalog. */
function clientFault(error: unknown, maxBodyBytes: number): unknown {
  if (error instanceof WireError || typeof error !== "object" || error === null) return error;
  const { statusCode, message } = error as { statusCode?: number; message?: string };
  if (statusCode === 413) return oauthError("requestTooLarge", maxBodyBytes);
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return oauthError("malformedRequest", String(message));
  return error;
}

function sendOAuthError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const wire = error instanceof WireError ? error : undefined;
  if (!wire) request.log.error({ err: error }, "token service failure");
  const status = wire?.status ?? 500;
  const body = {
    error: wire?.code ?? "server_error",
    error_description: wire?.message ?? `AADSTS50000: There was an error issuing a token. Request id: ${request.id}.`,
    error_codes: (wire?.details.error_codes as number[] | undefined) ?? [50000],
    timestamp: new Date().toISOString().replace("T", " "),
    trace_id: String(request.id),
    correlation_id: (request.headers["client-request-id"] as string | undefined) ?? newGuid(),
  };
  return noStore(reply.status(status)).send(body);
}
