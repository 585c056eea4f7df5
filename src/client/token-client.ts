import { clientAssertion } from "./client-assertion.ts";
import type { Transport } from "./transport.ts";

/** The public client id of the Azure CLI; Keyless's token service accepts it for user sign-in as Entra does. */
const CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/** Token audiences (resource URIs) the CLI asks for, as Azure's first-party resources name them. */
export const RESOURCES = {
  arm: "https://management.core.windows.net/",
  graph: "https://graph.microsoft.com",
  cognitive: "https://cognitiveservices.azure.com",
} as const;

export interface TokenSet {
  accessToken: string;
  /** Epoch seconds. */
  expiresOn: number;
  refreshToken?: string | undefined;
}

export type Grant =
  | { kind: "password"; username: string; password: string }
  | { kind: "client_credentials"; clientId: string; clientSecret: string }
  | { kind: "client_certificate"; clientId: string; certificatePath: string }
  | { kind: "refresh_token"; refreshToken: string }
  | { kind: "device_code"; deviceCode: string };

interface DeviceCodeChallenge {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  message: string;
  interval: number;
  expiresIn: number;
}

/** The `/.default` scope of a resource, built as az builds it: ARM's `https://management.core.windows.net//.default`. */
function defaultScope(resource: string): string {
  return `${resource}/.default`;
}

export function createTokenClient(transport: Transport, authority: string, now: () => number = () => Date.now() / 1000) {
  const endpoint = (tenant: string, path: string) => `${authority.replace(/\/+$/, "")}/${encodeURIComponent(tenant)}/oauth2/v2.0/${path}`;

  async function token(tenant: string, grant: Grant, resource: string): Promise<TokenSet> {
    // A device-code poll carries no scope (RFC 8628 §3.4): the server remembers the one asked for.
    const appOnly = grant.kind === "client_credentials" || grant.kind === "client_certificate";
    const form = new URLSearchParams(
      grant.kind === "device_code" ? {} : { scope: `${defaultScope(resource)}${appOnly ? "" : " offline_access openid profile"}` },
    );
    if (grant.kind === "client_certificate") {
      form.set("grant_type", "client_credentials");
      form.set("client_id", grant.clientId);
      form.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      form.set("client_assertion", clientAssertion(grant.certificatePath, grant.clientId, endpoint(tenant, "token")));
    } else if (grant.kind === "client_credentials") {
      form.set("grant_type", "client_credentials");
      form.set("client_id", grant.clientId);
      form.set("client_secret", grant.clientSecret);
    } else {
      form.set("client_id", CLI_CLIENT_ID);
      if (grant.kind === "password") {
        form.set("grant_type", "password");
        form.set("username", grant.username);
        form.set("password", grant.password);
      } else if (grant.kind === "refresh_token") {
        form.set("grant_type", "refresh_token");
        form.set("refresh_token", grant.refreshToken);
      } else {
        form.set("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
        form.set("device_code", grant.deviceCode);
      }
    }
    const { body } = await transport.send({ method: "POST", url: endpoint(tenant, "token"), body: form });
    const answer = body as { access_token: string; expires_in: number | string; refresh_token?: string };
    return {
      accessToken: answer.access_token,
      expiresOn: Math.floor(now()) + Number(answer.expires_in),
      refreshToken: answer.refresh_token,
    };
  }

  async function startDeviceCode(tenant: string, resource: string): Promise<DeviceCodeChallenge> {
    const form = new URLSearchParams({ client_id: CLI_CLIENT_ID, scope: `${defaultScope(resource)} offline_access openid profile` });
    const { body } = await transport.send({ method: "POST", url: endpoint(tenant, "devicecode"), body: form });
    const answer = body as {
      device_code: string;
      user_code: string;
      verification_uri: string;
      message?: string;
      interval?: number;
      expires_in: number;
    };
    return {
      deviceCode: answer.device_code,
      userCode: answer.user_code,
      verificationUri: answer.verification_uri,
      message: answer.message ?? `To sign in, open ${answer.verification_uri} and enter the code ${answer.user_code}.`,
      interval: answer.interval ?? 5,
      expiresIn: answer.expires_in,
    };
  }

  return { token, startDeviceCode };
}
