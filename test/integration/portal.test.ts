import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumPath, ensurePortalBuilt, launchChromium, newPage, signInToPortal } from "../harness/browser.ts";
import { ARM_SCOPE, adminCredential, assignRole, call, GRAPH_SCOPE } from "../harness/clients.ts";
import { ADMIN_PASSWORD } from "../harness/keyless-process.ts";
import { useKeyless } from "../harness/keyless.ts";
import { RoleIds } from "../harness/role-ids.ts";

const USER_PASSWORD = "Portal-User-Password-1";

/**
 * The portal in a real browser (Debian's chromium through playwright-core), against the real service: the seed
 * walkthrough, a Reader who sees but cannot change, and the administrator's everyday blades. Every step goes
 * through the portal's pages; the only API calls here create the directory objects the walkthrough starts from.
 */
describe("portal", { skip: chromiumPath() ? false : "chromium is not installed (apt-get install chromium)" }, () => {
  const keyless = useKeyless();
  let browser: Browser;
  let accountPage: string;
  const users: Record<string, string> = {};
  let groupId = "";
  let graphToken = "";

  before(async () => {
    ensurePortalBuilt();
    browser = await launchChromium();
    const { facts } = keyless;
    const graph = `${facts.url}/graph/v1.0`;
    const admin = adminCredential(facts);
    graphToken = (await admin.getToken(GRAPH_SCOPE))!.token;
    for (const name of ["dana", "rita", "sam"]) {
      const created = await call("POST", `${graph}/users`, graphToken, {
        accountEnabled: true,
        displayName: { dana: "Dana Developer", rita: "Rita Reader", sam: "Sam Leaving" }[name],
        mailNickname: name,
        userPrincipalName: `${name}@keyless.local`,
        passwordProfile: { password: USER_PASSWORD, forceChangePasswordNextSignIn: false },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      users[name] = created.body.id;
    }
    const group = await call("POST", `${graph}/groups`, graphToken, {
      displayName: "model-users",
      mailNickname: "model-users",
      mailEnabled: false,
      securityEnabled: true,
    });
    groupId = group.body.id;
    await call("POST", `${graph}/groups/${groupId}/members/$ref`, graphToken, { "@odata.id": `${graph}/directoryObjects/${users.dana}` });
    const sub = `/subscriptions/${facts.subscriptionId}`;
    await assignRole(facts, (await admin.getToken(ARM_SCOPE))!.token, { scope: sub, role: RoleIds.reader, principalId: users.rita! });
    accountPage = `/portal/subscriptions/${facts.subscriptionId}/resourceGroups/keyless-demo/accounts/keyless-demo`;
  });
  after(async () => {
    await browser?.close();
  });

  const signedIn = async (username: string, password: string, path = "/portal/") => {
    const page = await newPage(browser);
    await signInToPortal(page, keyless.facts.url, username, password, path);
    return page;
  };
  const tab = (page: Page, name: string) => page.getByRole("tab", { name, exact: true }).click();
  const chat = async (page: Page, text: string) => {
    await page.getByLabel("Message").fill(text);
    await page.getByRole("button", { name: "Send" }).click();
  };

  test("seed walkthrough: the admin grants a group Cognitive Services User, its member chats; removed, the next chat is refused with the explanation", async () => {
    const admin = await signedIn(keyless.facts.adminUsername, ADMIN_PASSWORD);
    await admin.getByRole("link", { name: "Keyless Subscription" }).click();
    await admin.getByRole("link", { name: "keyless-demo" }).click();
    await admin.getByRole("link", { name: "keyless-demo" }).click();
    await admin.getByRole("heading", { name: "keyless-demo" }).waitFor();
    await admin.getByText("https://", { exact: false }).first().waitFor();
    await tab(admin, "Access control (IAM)");
    await admin.getByRole("button", { name: "Add role assignment" }).click();
    await admin.getByLabel("Search roles").fill("Cognitive Services User");
    await admin.getByRole("radio", { name: "Cognitive Services User", exact: true }).check();
    await admin.getByRole("button", { name: "Next" }).click();
    await admin.getByRole("dialog").getByRole("radio", { name: "Groups" }).check();
    await admin.getByRole("dialog").getByLabel("Search by name").fill("model");
    await admin.getByRole("dialog").getByRole("button", { name: "Select model-users" }).click();
    await admin.getByRole("button", { name: "Next" }).click();
    await admin.getByRole("dialog").getByText("model-users (Group)").waitFor();
    await admin.getByRole("button", { name: "Review + assign" }).click();
    const row = admin.getByRole("row").filter({ hasText: "model-users" });
    await row.filter({ hasText: "Cognitive Services User" }).filter({ hasText: "This resource" }).waitFor();

    const dana = await signedIn("dana@keyless.local", USER_PASSWORD, `${accountPage}?tab=playground`);
    await chat(dana, "hello from the portal");
    await dana.getByRole("figure", { name: "Answer" }).getByText("hello from the portal").waitFor();
    await dana.getByRole("combobox", { name: "Deployment" }).click();
    await dana.getByRole("option", { name: "embed" }).click();
    await dana.getByRole("radio", { name: "Embeddings" }).check();
    await dana.getByLabel("Input text").fill("a vector, please");
    await dana.getByRole("button", { name: "Embed" }).click();
    await dana
      .getByRole("figure", { name: "Answer" })
      .getByText(/^\d+ dimensions: \[/)
      .waitFor();
    await dana.getByRole("radio", { name: "Chat" }).check();
    await dana.getByRole("combobox", { name: "Deployment" }).click();
    await dana.getByRole("option", { name: "echo" }).click();

    await admin.getByRole("button", { name: "Remove Cognitive Services User for model-users" }).click();
    await row.waitFor({ state: "detached" });
    await chat(dana, "and again");
    const refusal = dana.getByRole("alert");
    await refusal.getByText("PermissionDenied").waitFor();
    const text = await refusal.textContent();
    assert.match(text!, new RegExp(`principal \`${users.dana}\` lacks the required data action`));
    assert.match(text!, /Roles that would grant it: .*Cognitive Services User/);

    await tab(admin, "Call log");
    const calls = admin.getByRole("table", { name: "Calls" });
    await calls.getByRole("row").filter({ hasText: "Dana Developer" }).filter({ hasText: "denied" }).waitFor();
    await calls.getByRole("row").filter({ hasText: "Dana Developer" }).filter({ hasText: "allowed" }).first().waitFor();

    await admin.getByRole("link", { name: "Activity log" }).click();
    const events = admin.getByRole("table", { name: "Events" });
    await events
      .getByRole("row")
      .filter({ hasText: /roleAssignments\/write/i })
      .filter({ hasText: keyless.facts.adminUsername })
      .first()
      .waitFor();
    await admin.context().close();
    await dana.context().close();
  });

  test("a Reader sees the account, its deployments and its role assignments but cannot change them", async () => {
    const rita = await signedIn("rita@keyless.local", USER_PASSWORD, `${accountPage}?tab=deployments`);
    await rita.getByRole("table", { name: "Deployments" }).getByText("echo", { exact: true }).waitFor();
    await rita.getByLabel("Deployment name").fill("mine");
    await rita.getByRole("combobox", { name: "Model" }).click();
    await rita.getByRole("option").first().click();
    await rita.getByRole("button", { name: "Deploy" }).click();
    await rita.getByRole("alert").getByText("AuthorizationFailed").waitFor();
    await tab(rita, "Keys");
    await rita.getByRole("button", { name: "Show keys" }).click();
    await rita.getByRole("alert").getByText("AuthorizationFailed").waitFor();
    await tab(rita, "Access control (IAM)");
    await rita.getByRole("row").filter({ hasText: "Rita Reader" }).filter({ hasText: "Reader" }).waitFor();
    await rita.getByRole("button", { name: "Sign out" }).click();
    await rita.getByRole("button", { name: "Sign in" }).waitFor();
    await rita.context().close();
  });

  test("keyboard only: Tab reaches the links and buttons in order, Enter follows them, arrows move between tabs, Escape closes the wizard", async () => {
    const page = await signedIn(keyless.facts.adminUsername, ADMIN_PASSWORD);
    const focused = async () => String(await page.evaluate("document.activeElement?.textContent ?? ''")).trim();
    /** Presses Tab until the focused element's text is `name` (at most 40 times), as a keyboard user would. */
    const tabTo = async (name: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        if ((await focused()) === name) return;
      }
      assert.fail(`Tab never reached "${name}"`);
    };
    await tabTo("Keyless Subscription");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Keyless Subscription" }).waitFor();
    await tabTo("keyless-demo");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "keyless-demo" }).waitFor();
    await tabTo("keyless-demo");
    await page.keyboard.press("Enter");
    await page.getByRole("tab", { name: "Overview", selected: true }).waitFor();
    await tabTo("Overview");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await page.getByRole("tab", { name: "Access control (IAM)", selected: true }).waitFor();
    await tabTo("Add role assignment");
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Add role assignment" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    assert.equal(await focused(), "Add role assignment", "focus returns to the opener");
    await page.context().close();
  });

  test("a session ends when the user is disabled: the next token the portal needs is refused, and it says so", async () => {
    const sam = await signedIn("sam@keyless.local", USER_PASSWORD);
    await sam.getByText("You have no role on any subscription.").waitFor();
    const disabled = await call("PATCH", `${keyless.facts.url}/graph/v1.0/users/${users.sam}`, graphToken, { accountEnabled: false });
    assert.equal(disabled.status, 204, JSON.stringify(disabled.body));
    // The Directory needs a Graph token: the refresh is refused, so the portal signs out and says why.
    await sam.getByRole("link", { name: "Directory" }).click();
    await sam
      .getByRole("alert")
      .getByText(/Your session has ended \(AADSTS\d+: .*disabled/)
      .waitFor();
    await sam.getByRole("button", { name: "Sign in" }).waitFor();
    await sam.context().close();
  });

  test("administration blades: a resource group and an account created and deleted, a deployment created and edited, key regeneration, a custom role from JSON, check access", async () => {
    const admin = await signedIn(keyless.facts.adminUsername, ADMIN_PASSWORD, `${accountPage}?tab=deployments`);
    await admin.getByLabel("Deployment name").fill("second");
    await admin.getByRole("combobox", { name: "Model" }).click();
    await admin
      .getByRole("option", { name: /keyless-echo/ })
      .first()
      .click();
    await admin.getByRole("button", { name: "Deploy" }).click();
    const second = admin.getByRole("table", { name: "Deployments" }).getByRole("row").filter({ hasText: "second" });
    await second.getByText("10", { exact: true }).waitFor();
    await admin.getByRole("button", { name: "Edit second" }).click();
    await admin.getByLabel("Capacity (thousand tokens per minute)").fill("20");
    await admin.getByRole("button", { name: "Save" }).click();
    await second.getByText("20", { exact: true }).waitFor();

    await tab(admin, "Keys");
    await admin.getByRole("button", { name: "Show keys" }).click();
    const key1 = admin.getByRole("figure", { name: "Key 1" });
    await key1.waitFor();
    const oldKey = (await key1.locator("pre").textContent())!;
    assert.match(oldKey, /^[0-9a-f]{32,}$/);
    await admin.getByRole("button", { name: "Regenerate Key 1" }).click();
    await key1.getByText(oldKey, { exact: true }).waitFor({ state: "detached" });
    assert.match((await key1.locator("pre").textContent())!, /^[0-9a-f]{32,}$/);

    // In-portal navigation: a reload would sign out (tokens live in memory only).
    await admin.getByRole("link", { name: "Resources" }).click();
    await admin.getByRole("link", { name: "Keyless Subscription" }).click();
    await tab(admin, "Roles");
    const role = {
      Name: "Portal chat caller",
      Description: "Chat only",
      Actions: [],
      DataActions: [],
      AssignableScopes: [`/subscriptions/${keyless.facts.subscriptionId}`],
    };
    await admin.getByLabel("Role definition").fill(JSON.stringify(role));
    await admin.getByLabel("Add a permission").fill("deployments/chat/completions");
    const chatAction = "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action";
    await admin.getByRole("button", { name: `Add ${chatAction}`, exact: true }).click();
    assert.deepEqual(JSON.parse(await admin.getByLabel("Role definition").inputValue()).DataActions, [chatAction]);
    await admin.getByRole("button", { name: "Create custom role" }).click();
    await admin.getByRole("row").filter({ hasText: "Portal chat caller" }).filter({ hasText: "Custom" }).waitFor();

    await tab(admin, "Resource groups");
    await admin.getByLabel("New resource group").fill("portal-rg");
    await admin.getByRole("button", { name: "Create" }).click();
    await admin.getByRole("link", { name: "portal-rg" }).click();
    await admin.getByLabel("New account name").fill("portal-ai");
    await admin.getByRole("button", { name: "Create" }).click();
    await admin.getByRole("link", { name: "portal-ai" }).waitFor();
    await admin.getByRole("button", { name: "Delete portal-ai" }).click();
    await admin.getByText("No Foundry accounts in this resource group.").waitFor();
    await admin.getByRole("link", { name: "Resources" }).click();
    await admin.getByRole("link", { name: "Keyless Subscription" }).click();
    await admin.getByRole("link", { name: "keyless-demo" }).click();
    await admin.getByRole("link", { name: "keyless-demo" }).click();
    await tab(admin, "Access control (IAM)");
    const check = admin.getByRole("region", { name: "Check access" });
    await check.getByLabel("Search by name").fill("Dana");
    await check.getByRole("button", { name: "Select Dana Developer" }).click();
    await check.getByRole("button", { name: "Check access" }).click();
    const result = check.getByLabel("Check access result");
    await result.getByText("Not allowed").waitFor();
    assert.match((await result.textContent())!, /No role assignment of the principal or its groups/);

    await admin.getByRole("link", { name: "Directory" }).click();
    await tab(admin, "Groups");
    await admin.getByRole("button", { name: "model-users" }).click();
    await admin.getByRole("table", { name: "Members", exact: true }).getByText("Dana Developer").waitFor();
    await admin.context().close();
  });
});
