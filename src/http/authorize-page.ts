import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { WireError } from "../core/errors.ts";
import { type AuthorizationRequest, checkRedirectUri, issueAuthorizationCode } from "../tokens/authorization-codes.ts";
import { firstPartyPublicClients } from "../tokens/identity-source.ts";
import { oauthError } from "../tokens/oauth-errors.ts";
import { signInThrottle } from "../tokens/sign-in-throttle.ts";
import { resolveTenant } from "../tokens/token-request.ts";
import { requestOrigin } from "./request-origin.ts";
import { noStore, signInPageHeaders } from "./response-policy.ts";
import type { Services } from "./services.ts";

type Fields = Record<string, string | undefined>;
const CARRIED = [
  "client_id",
  "redirect_uri",
  "response_type",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "nonce",
] as const;

/**
 * The authorization endpoint for the auth-code + PKCE flow: a sign-in page (GET) and its form post, which
 * redirects back to the client with a single-use code. Problems with the request itself are shown as OAuth
 * errors here, never sent to an unchecked redirect URI.
 */
export async function authorizeRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { grants, clock, identities } = services.tokenService;

  const parse = async (req: FastifyRequest<{ Params: { tenant: string } }>, fields: Fields): Promise<AuthorizationRequest> => {
    const tenant = await resolveTenant(identities, req.params.tenant);
    const need = (name: string) => {
      const value = fields[name];
      if (!value) throw oauthError("missingParameter", name);
      return value;
    };
    const clientId = need("client_id");
    if (!firstPartyPublicClients[clientId.toLowerCase()] && !(await identities.findClient(tenant.id, clientId)))
      throw oauthError("applicationNotFound", clientId, tenant.id);
    const redirectUri = need("redirect_uri");
    checkRedirectUri(redirectUri, requestOrigin(req));
    if (need("response_type") !== "code") throw oauthError("unsupportedGrantType", `response_type=${fields.response_type}`);
    if (!fields.code_challenge || fields.code_challenge_method !== "S256") throw oauthError("pkceRequired");
    return { tenantId: tenant.id, clientId, redirectUri, scope: need("scope"), codeChallenge: fields.code_challenge, nonce: fields.nonce };
  };

  const show = (reply: FastifyReply, fields: Fields, message: string) => signInPageHeaders(reply).send(signInPage(fields, message));

  for (const path of ["/:tenant/oauth2/v2.0/authorize", "/:tenant/oauth2/authorize"]) {
    app.get<{ Params: { tenant: string }; Querystring: Fields }>(path, async (req, reply) => {
      await parse(req, req.query);
      return show(reply, req.query, "");
    });
    app.post<{ Params: { tenant: string }; Body: Fields }>(path, async (req, reply) => {
      const fields = req.body ?? {};
      const authorization = await parse(req, fields);
      const username = fields.username ?? "";
      let user: Awaited<ReturnType<typeof identities.verifyUserPassword>>;
      try {
        user = await signInThrottle(grants, clock).attempt(username, req.ip, async () =>
          username && fields.password ? identities.verifyUserPassword(username, fields.password) : undefined,
        );
      } catch (err) {
        if (!(err instanceof WireError)) throw err;
        return show(reply, fields, "Your account is locked after too many attempts. Try again in a few minutes.");
      }
      if (!user || user.tenantId !== authorization.tenantId || !user.enabled)
        return show(reply, fields, "The user name or password is wrong, or the account is disabled.");
      const code = await issueAuthorizationCode(grants, clock, authorization, user.id);
      const target = new URL(authorization.redirectUri);
      target.searchParams.set("code", code);
      if (fields.state) target.searchParams.set("state", fields.state);
      return noStore(reply).redirect(target.toString(), 302);
    });
  }
}

function signInPage(fields: Fields, message: string): string {
  const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const hidden = CARRIED.filter((k) => fields[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${esc(fields[k]!)}">`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to Keyless</title></head>
<body>
<h1>Sign in</h1>
${message ? `<p role="alert">${esc(message)}</p>` : ""}
<form method="post">
${hidden}
<label>User name <input name="username" autocomplete="username" required></label><br>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label><br>
<button>Sign in</button>
</form>
</body></html>`;
}
