import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CryptoProvider, PublicClientApplication } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { AZURE_CLI_CLIENT_ID, COGNITIVE_SCOPE } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";

const REDIRECT = "http://localhost:8400/callback";

describe("authorization code + PKCE with MSAL for Node and the sign-in page", () => {
  const keyless = useKeyless();

  const client = () =>
    new PublicClientApplication({
      auth: {
        clientId: AZURE_CLI_CLIENT_ID,
        authority: `${keyless.facts.url}/${keyless.facts.tenantId}`,
        knownAuthorities: [new URL(keyless.facts.url).host],
      },
    });
  /** What a browser does: open the authorize URL, post the sign-in form back to it, read the redirect. */
  const signIn = async (authUrl: string, password: string) => {
    const page = await (await fetch(authUrl)).text();
    const hidden = Object.fromEntries(
      [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replaceAll("&#38;", "&")]),
    );
    const response = await fetch(authUrl, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ ...hidden, username: keyless.facts.adminUsername, password }),
    });
    return response;
  };

  test("getAuthCodeUrl → sign-in page → code → acquireTokenByCode returns access and id tokens with the nonce", async () => {
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    const pca = client();
    const authUrl = await pca.getAuthCodeUrl({
      scopes: [COGNITIVE_SCOPE],
      redirectUri: REDIRECT,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      state: "st-1",
      nonce: "n-0S6_WzA2Mj",
    });
    assert.match(await signIn(authUrl, "wrong").then((r) => r.text()), /user name or password is wrong/);
    const response = await signIn(authUrl, ADMIN_PASSWORD);
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get("location")!);
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    assert.equal(location.searchParams.get("state"), "st-1");
    const code = location.searchParams.get("code")!;
    const result = await pca.acquireTokenByCode({ code, scopes: [COGNITIVE_SCOPE], redirectUri: REDIRECT, codeVerifier: verifier });
    assert.equal(decodeJwt(result.accessToken).aud, "https://cognitiveservices.azure.com");
    assert.equal(decodeJwt(result.idToken).nonce, "n-0S6_WzA2Mj");
    assert.equal(result.account?.username, keyless.facts.adminUsername);

    const again = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: AZURE_CLI_CLIENT_ID,
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        scope: COGNITIVE_SCOPE,
      }),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
    assert.deepEqual(again.error_codes, [70008], "a code is redeemed once");
  });

  test("a wrong PKCE verifier, a foreign redirect URI and a missing challenge are refused", async () => {
    const { challenge } = await new CryptoProvider().generatePkceCodes();
    const authUrl = await client().getAuthCodeUrl({
      scopes: [COGNITIVE_SCOPE],
      redirectUri: REDIRECT,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
    });
    const code = new URL((await signIn(authUrl, ADMIN_PASSWORD)).headers.get("location")!).searchParams.get("code")!;
    const redeemed = await fetch(`${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: AZURE_CLI_CLIENT_ID,
        code,
        redirect_uri: REDIRECT,
        code_verifier: "x".repeat(43),
        scope: COGNITIVE_SCOPE,
      }),
    }).then((r) => r.json() as Promise<Record<string, string>>);
    assert.match(redeemed.error_description!, /code_verifier does not match/);

    const evil = authUrl.replace(encodeURIComponent(REDIRECT), encodeURIComponent("https://evil.example/cb"));
    const refused = await fetch(evil);
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { error_description: string }).error_description, /^AADSTS50011:/);
    const withoutPkce = await fetch(
      `${keyless.facts.url}/${keyless.facts.tenantId}/oauth2/v2.0/authorize?client_id=${AZURE_CLI_CLIENT_ID}&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid`,
    );
    assert.equal(withoutPkce.status, 400);
  });
});
