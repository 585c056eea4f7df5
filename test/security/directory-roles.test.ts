import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { UsernamePasswordCredential } from "@azure/identity";
import { DirectoryRoles as R } from "../../src/directory/principals.ts";
import { adminCredential, appCredential, AZURE_CLI_CLIENT_ID, call, GRAPH_SCOPE, registerApp } from "../harness/clients.ts";
import { useKeyless } from "../harness/keyless.ts";

/**
 * Threat: a directory administrator of a lower tier taking over a higher one by changing their credentials
 * (a password reset, a secret added to a privileged application's registration).
 */

/** The roles under test, in the column order of the tables below. */
const ROLES = {
  none: undefined,
  GA: R.globalAdministrator,
  PAA: R.privilegedAuthenticationAdministrator,
  UA: R.userAdministrator,
  HD: R.helpdeskAdministrator,
  PW: R.passwordAdministrator,
  GrA: R.groupsAdministrator,
  AA: R.applicationAdministrator,
  CAA: R.cloudApplicationAdministrator,
} as const;
type Role = keyof typeof ROLES;
const NAMES = Object.keys(ROLES) as Role[];

/**
 * Entra's "who can reset passwords" table (Microsoft Entra privileged roles and permissions), restricted to the roles
 * Keyless models. Row: the role the target holds; columns: the caller's role, in ROLES order; 1 = may reset.
 * Roles the table does not list (Application and Cloud Application Administrator) fall under "all other roles".
 */
// biome-ignore format: the table reads as a table
const RESET: Record<Role, number[]> = {
  //     none GA PAA UA HD PW GrA AA CAA
  none: [0,   1, 1,  1, 1, 1, 0,  0, 0],
  GA:   [0,   1, 1,  0, 0, 0, 0,  0, 0],
  PAA:  [0,   1, 1,  0, 0, 0, 0,  0, 0],
  UA:   [0,   1, 1,  1, 0, 0, 0,  0, 0],
  HD:   [0,   1, 1,  1, 1, 0, 0,  0, 0],
  PW:   [0,   1, 1,  1, 1, 1, 0,  0, 0],
  GrA:  [0,   1, 1,  1, 0, 0, 0,  0, 0],
  AA:   [0,   1, 1,  0, 0, 0, 0,  0, 0],
  CAA:  [0,   1, 1,  0, 0, 0, 0,  0, 0],
};

/**
 * Adding a secret to an application. Row: the directory role its service principal holds; columns: the caller.
 * Application writers (GA, AA, CAA) may, unless the service principal holds a directory role whose holders they could
 * not reset (then only the top tier that also writes applications: Global Administrator).
 */
// biome-ignore format: the table reads as a table
const APP_SECRET: Record<Role, number[]> = {
  //     none GA PAA UA HD PW GrA AA CAA
  none: [0,   1, 0,  0, 0, 0, 0,  1, 1],
  GA:   [0,   1, 0,  0, 0, 0, 0,  0, 0],
  PAA:  [0,   1, 0,  0, 0, 0, 0,  0, 0],
  UA:   [0,   1, 0,  0, 0, 0, 0,  0, 0],
  HD:   [0,   1, 0,  0, 0, 0, 0,  0, 0],
  PW:   [0,   1, 0,  0, 0, 0, 0,  0, 0],
  GrA:  [0,   1, 0,  0, 0, 0, 0,  0, 0],
  AA:   [0,   1, 0,  0, 0, 0, 0,  0, 0],
  CAA:  [0,   1, 0,  0, 0, 0, 0,  0, 0],
};

describe("directory roles: who may change whose credentials follows Entra's privilege tiers", () => {
  const keyless = useKeyless();
  let admin: string;
  let domain: string;
  const graph = () => `${keyless.facts.url}/graph/v1.0`;

  before(async () => {
    admin = (await adminCredential(keyless.facts).getToken(GRAPH_SCOPE))!.token;
    domain = keyless.facts.adminUsername.split("@")[1]!;
  });

  const grant = async (role: Role, principalId: string) => {
    if (!ROLES[role]) return;
    const added = await call("POST", `${graph()}/directoryRoles/${ROLES[role]}/members/$ref`, admin, {
      "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${principalId}`,
    });
    assert.equal(added.status, 204, JSON.stringify(added.body));
  };
  const newUser = async (name: string, role: Role) => {
    const password = `Pw-${name}-${crypto.randomUUID().slice(0, 8)}`;
    const created = await call("POST", `${graph()}/users`, admin, {
      accountEnabled: true,
      displayName: name,
      mailNickname: name,
      userPrincipalName: `${name}@${domain}`,
      passwordProfile: { password, forceChangePasswordNextSignIn: false },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await grant(role, created.body.id);
    return { id: created.body.id as string, upn: `${name}@${domain}`, password };
  };
  const signIn = async (user: { upn: string; password: string }) =>
    (await new UsernamePasswordCredential(keyless.facts.tenantId, AZURE_CLI_CLIENT_ID, user.upn, user.password, {
      authorityHost: keyless.facts.url,
      disableInstanceDiscovery: true,
    }).getToken(GRAPH_SCOPE))!.token;
  const callers = async (prefix: string) => {
    const out = {} as Record<Role, string>;
    for (const role of NAMES) out[role] = await signIn(await newUser(`${prefix}-${role.toLowerCase()}`, role));
    return out;
  };

  test("password resets: every caller role against every target role (Entra's who-can-reset-passwords table)", async () => {
    const tokens = await callers("resetter");
    const targets = {} as Record<Role, string>;
    for (const role of NAMES) targets[role] = (await newUser(`target-${role.toLowerCase()}`, role)).id;
    const wrong: string[] = [];
    for (const target of NAMES) {
      for (const [column, caller] of NAMES.entries()) {
        const reset = await call("PATCH", `${graph()}/users/${targets[target]}`, tokens[caller], {
          passwordProfile: { password: `New-Password-${column}x`, forceChangePasswordNextSignIn: false },
        });
        const expected = RESET[target][column] === 1 ? 204 : 403;
        if (reset.status !== expected) wrong.push(`${caller} resetting ${target}: ${reset.status}, expected ${expected}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test("application secrets: every caller role against an application whose service principal holds each role", async () => {
    const tokens = await callers("appwriter");
    const apps = {} as Record<Role, string>;
    for (const role of NAMES) {
      const app = await registerApp(keyless.facts, admin, `app-with-${role.toLowerCase()}`);
      await grant(role, app.objectId);
      apps[role] = app.applicationId;
    }
    const wrong: string[] = [];
    for (const target of NAMES) {
      for (const [column, caller] of NAMES.entries()) {
        const added = await call("POST", `${graph()}/applications/${apps[target]}/addPassword`, tokens[caller], {
          passwordCredential: { displayName: "attempt" },
        });
        const expected = APP_SECRET[target][column] === 1 ? 200 : 403;
        if (added.status !== expected)
          wrong.push(`${caller} adding a secret to an app holding ${target}: ${added.status}, expected ${expected}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test("the escalation chain: User Administrator → Application Administrator's password → a Global Administrator app's secret → Global Administrator", async () => {
    const userAdmin = await signIn(await newUser("chain-ua", "UA"));
    const appAdmin = await newUser("chain-aa", "AA");
    const privileged = await registerApp(keyless.facts, admin, "chain-privileged-app");
    await grant("GA", privileged.objectId);

    // 1. A User Administrator may not reset an administrator's password (only PAA and GA may).
    const reset = await call("PATCH", `${graph()}/users/${appAdmin.id}`, userAdmin, {
      passwordProfile: { password: "Taken-Over-Password-1", forceChangePasswordNextSignIn: false },
    });
    assert.equal(reset.status, 403);
    assert.equal(reset.body.error.code, "Authorization_RequestDenied");
    // 2. Even signed in legitimately, the Application Administrator may not add a secret to the Global Administrator's app,
    // nor a certificate or a federated credential.
    const appAdminToken = await signIn(appAdmin);
    const secret = await call("POST", `${graph()}/applications/${privileged.applicationId}/addPassword`, appAdminToken, {});
    assert.equal(secret.status, 403);
    const federated = await call(
      "POST",
      `${graph()}/applications/${privileged.applicationId}/federatedIdentityCredentials`,
      appAdminToken,
      {
        name: "backdoor",
        issuer: "https://issuer.example.com",
        subject: "attacker",
      },
    );
    assert.equal(federated.status, 403);
    // 3. So no secret exists with which to act as the privileged service principal; its own secret still works.
    const own = await appCredential(keyless.facts, privileged.appId, privileged.secret).getToken(GRAPH_SCOPE);
    assert.ok(own?.token);
  });

  test("password tiers do not open other changes: a Helpdesk Administrator may not disable, delete or rename; a User Administrator may not disable an administrator", async () => {
    const helpdesk = await signIn(await newUser("tier-hd", "HD"));
    const userAdmin = await signIn(await newUser("tier-ua", "UA"));
    const plain = await newUser("tier-plain", "none");
    const appAdmin = await newUser("tier-aa", "AA");
    assert.equal((await call("PATCH", `${graph()}/users/${plain.id}`, helpdesk, { accountEnabled: false })).status, 403);
    assert.equal((await call("PATCH", `${graph()}/users/${plain.id}`, helpdesk, { displayName: "renamed" })).status, 403);
    assert.equal((await call("DELETE", `${graph()}/users/${plain.id}`, helpdesk)).status, 403);
    assert.equal((await call("PATCH", `${graph()}/users/${appAdmin.id}`, userAdmin, { accountEnabled: false })).status, 403);
    assert.equal((await call("DELETE", `${graph()}/users/${appAdmin.id}`, userAdmin)).status, 403);
    assert.equal((await call("PATCH", `${graph()}/users/${plain.id}`, userAdmin, { accountEnabled: false })).status, 204);
  });
});
