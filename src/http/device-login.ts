import type { FastifyInstance } from "fastify";
import { resourceAudiences } from "../tokens/audiences.ts";
import { type DeviceDecision, decideDeviceCode } from "../tokens/device-codes.ts";
import { WireError } from "../core/errors.ts";
import { oauthError } from "../tokens/oauth-errors.ts";
import { signInThrottle } from "../tokens/sign-in-throttle.ts";
import { TokenRejectedError } from "../tokens/validator.ts";
import { bearerToken, requestOrigin } from "./request-origin.ts";
import { signInPageHeaders } from "./response-policy.ts";
import type { Services } from "./services.ts";

/** Where the device-code `verification_uri` points (like microsoft.com/devicelogin). */
export const DEVICE_LOGIN_PATH = "/devicelogin";

const REASONS: Record<Exclude<DeviceDecision, "approved" | "denied">, string> = {
  unknown: "no sign-in is waiting for this code; check the code shown on your device",
  expired: "the code has expired; start the sign-in on your device again",
  "already-decided": "the code was already approved or declined",
  "wrong-tenant": "the code belongs to another tenant",
};

/**
 * Approving a device code: an HTML page where the user types the code and signs in with a password, and a JSON
 * API (`POST /devicelogin/decisions`) for a caller that already holds a token (tests, the portal, the CLI).
 */
export async function deviceLoginRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { grants, clock, identities } = services.tokenService;

  app.get(DEVICE_LOGIN_PATH, async (_req, reply) => signInPageHeaders(reply).send(page("")));

  app.post<{ Body: Record<string, string | undefined> }>(DEVICE_LOGIN_PATH, async (req, reply) => {
    const form = req.body ?? {};
    const username = form.username ?? "";
    let user: Awaited<ReturnType<typeof identities.verifyUserPassword>>;
    try {
      user = await signInThrottle(grants, clock).attempt(username, req.ip, async () =>
        username && form.password ? identities.verifyUserPassword(username, form.password) : undefined,
      );
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      user = undefined;
    }
    let text: string;
    if (!user?.enabled)
      text = "Sign-in failed: the user name or password is wrong, the account is disabled, or it is locked after too many attempts.";
    else {
      const decision = await decideDeviceCode(grants, clock, form.user_code ?? "", user, form.decision !== "deny");
      text =
        decision === "approved"
          ? "You have signed in. You can close this window and return to your device."
          : decision === "denied"
            ? "Sign-in declined."
            : `Sign-in failed: ${REASONS[decision]}.`;
    }
    return signInPageHeaders(reply).send(page(text));
  });

  app.post<{ Body: { user_code?: unknown; approve?: unknown } }>(`${DEVICE_LOGIN_PATH}/decisions`, async (req) => {
    const origin = requestOrigin(req);
    let caller: Awaited<ReturnType<typeof services.validator.validate>>;
    try {
      caller = await services.validator.validate(bearerToken(req), [
        ...resourceAudiences.arm,
        ...resourceAudiences.graph,
        `${origin}/graph/`,
        `${origin}/graph`,
      ]);
    } catch (err) {
      if (err instanceof TokenRejectedError) throw oauthError("bearerTokenRejected", err.message);
      throw err;
    }
    const user = caller.kind === "user" ? await identities.findUser(caller.objectId) : undefined;
    if (!user?.enabled) throw oauthError("bearerTokenRejected", "Only an enabled user can approve a device sign-in.");
    if (typeof req.body?.user_code !== "string") throw oauthError("missingParameter", "user_code");
    const decision = await decideDeviceCode(grants, clock, req.body.user_code, user, req.body.approve !== false);
    if (decision !== "approved" && decision !== "denied") throw oauthError("deviceUserCodeRejected", REASONS[decision]);
    return { userCode: req.body.user_code, status: decision, userPrincipalName: user.userPrincipalName };
  });
}

function page(result: string): string {
  const escaped = result.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keyless device sign-in</title></head>
<body>
<h1>Enter code</h1>
${escaped ? `<p role="status">${escaped}</p>` : ""}
<form method="post" action="${DEVICE_LOGIN_PATH}">
<label>Code <input name="user_code" autocomplete="off" required></label><br>
<label>User name <input name="username" autocomplete="username" required></label><br>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label><br>
<button name="decision" value="approve">Sign in</button> <button name="decision" value="deny">Decline</button>
</form>
</body></html>`;
}
