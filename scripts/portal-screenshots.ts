/**
 * Takes the screenshots in docs/portal/ from a fresh service (demo data), signed in as the administrator:
 * `node scripts/portal-screenshots.ts` (needs Debian's chromium and a built portal, i.e. `npm install`).
 */
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { ensurePortalBuilt, launchChromium, newPage, signInToPortal } from "../test/harness/browser.ts";
import { ADMIN_PASSWORD, startKeyless } from "../test/harness/keyless-process.ts";

const OUT = resolve(import.meta.dirname, "..", "docs", "portal");

/** Lets Fluent's tab indicator finish its slide before the picture is taken. */
async function shot(page: Page, path: string) {
  await page.waitForTimeout(500);
  await page.screenshot({ path });
}

ensurePortalBuilt();
const keyless = await startKeyless();
const browser = await launchChromium();
try {
  const { facts } = keyless;
  const blade = `/portal/subscriptions/${facts.subscriptionId}/resourceGroups/keyless-demo/accounts/keyless-demo`;
  for (const [theme, suffix] of [
    ["light", ""],
    ["dark", "-dark"],
  ] as const) {
    const page = await newPage(browser, { width: 1280, height: 800 }, theme);
    await signInToPortal(page, facts.url, facts.adminUsername, ADMIN_PASSWORD, `${blade}?tab=overview`);
    await page.getByText("Call a model").waitFor();
    await shot(page, `${OUT}/account-overview${suffix}.png`);
    if (theme === "dark") break;
    // The administrator gives itself Cognitive Services User to try models (Owner grants no data actions).
    await page.getByRole("tab", { name: "Access control (IAM)" }).click();
    await page.getByRole("button", { name: "Add role assignment" }).click();
    await page.getByLabel("Search roles").fill("Cognitive");
    await page.getByRole("radio", { name: "Cognitive Services User", exact: true }).check();
    await shot(page, `${OUT}/add-role-assignment.png`);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Select Keyless Administrator" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Review + assign" }).click();
    await page.getByRole("table", { name: "Role assignments" }).getByText("Cognitive Services User").waitFor();
    await shot(page, `${OUT}/access-control.png`);
    await page.getByRole("tab", { name: "Playground" }).click();
    await page.getByLabel("Message").fill("What can the portal do?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByRole("figure", { name: "Answer" }).waitFor();
    await shot(page, `${OUT}/playground.png`);
    await page.getByRole("tab", { name: "Call log" }).click();
    await page.getByRole("table", { name: "Calls" }).getByText("allowed").first().waitFor();
    await shot(page, `${OUT}/call-log.png`);
    await page.getByRole("tab", { name: "Keys" }).click();
    await page.getByRole("switch").waitFor();
    await shot(page, `${OUT}/keys.png`);
    await page.getByRole("link", { name: "Directory" }).click();
    await page.getByRole("table", { name: "Users" }).waitFor();
    await shot(page, `${OUT}/directory.png`);
    await page.context().close();
  }
  const phone = await newPage(browser, { width: 390, height: 844 });
  await signInToPortal(phone, facts.url, facts.adminUsername, ADMIN_PASSWORD, `${blade}?tab=deployments`);
  await phone.getByRole("table", { name: "Deployments" }).waitFor();
  await shot(phone, `${OUT}/phone-deployments.png`);
} finally {
  await browser.close();
  await keyless.stop();
  keyless.cleanup();
}
