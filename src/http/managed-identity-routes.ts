import type { FastifyInstance, FastifyRequest } from "fastify";
import { managedIdentityToken } from "../tokens/managed-identity-tokens.ts";
import { oauthError } from "../tokens/oauth-errors.ts";
import { requestOrigin } from "./request-origin.ts";
import type { Services } from "./services.ts";

/** Mirrors the directory's MANAGED_IDENTITY_PREFIX (http may not import it into tokens' caller chain twice). */
const PREFIX = "/managed-identity";
type Fields = Record<string, string | undefined>;

/**
 * Managed identity endpoints, each proving the identity with its secret:
 * - App Service: `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…` with `X-IDENTITY-HEADER: secret`;
 * - IMDS (`AZURE_POD_IDENTITY_AUTHORITY_HOST={origin}/managed-identity/{secret}`): `GET …/metadata/identity/oauth2/token`;
 * - `MSI_ENDPOINT={origin}/managed-identity/{secret}/msi/token`: `POST` form, as `az login --identity` sends.
 * IMDS and MSI clients send only `Metadata: true`, so the secret rides in the path (redacted from access logs).
 */
export async function managedIdentityRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const issue = (req: FastifyRequest, secret: string | undefined, fields: Fields) =>
    managedIdentityToken(services.tokenService, {
      secret,
      resource: fields.resource,
      clientId: fields.client_id ?? fields.clientid,
      objectId: fields.object_id ?? fields.principal_id,
      resourceId: fields.mi_res_id ?? fields.msi_res_id,
      origin: requestOrigin(req),
    });
  const requireMetadata = (req: FastifyRequest) => {
    if (String(req.headers.metadata).toLowerCase() !== "true") throw oauthError("miMetadataHeaderMissing");
  };

  app.get<{ Querystring: Fields }>(`${PREFIX}/app-service`, (req) => issue(req, header(req, "x-identity-header"), req.query));
  app.get<{ Params: { secret: string }; Querystring: Fields }>(`${PREFIX}/:secret/metadata/identity/oauth2/token`, (req) => {
    requireMetadata(req);
    return issue(req, req.params.secret, req.query);
  });
  app.post<{ Params: { secret: string }; Body: Fields }>(`${PREFIX}/:secret/msi/token`, (req) => {
    requireMetadata(req);
    return issue(req, req.params.secret, { ...(req.query as Fields), ...(typeof req.body === "object" && req.body ? req.body : {}) });
  });
}

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The request URL with a managed-identity path secret masked, for logs. */
export function redactManagedIdentityUrl(url: string): string {
  return url.replace(/^\/managed-identity\/(?!app-service(?:[/?]|$))[^/?]+/i, "/managed-identity/[redacted]");
}
