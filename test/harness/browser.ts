import { execFileSync } from "node:child_process";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it when missing), or undefined when absent. */
export function chromiumPath(): string | undefined {
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("which", [name], { encoding: "utf8" }).trim() || undefined;
    } catch {}
  }
  return undefined;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: tests run as root in CI, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath()!, args: ["--no-sandbox"] });
}

/** A fresh browser context (no shared session) at a given size, trusting the test server's certificate. */
export async function newPage(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
  colorScheme: "light" | "dark" = "light",
): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("dialog", (dialog) => void dialog.accept());
  return page;
}

/** Opens the portal and signs in through the service's own sign-in page (auth code + PKCE). */
export async function signInToPortal(page: Page, url: string, username: string, password: string, path = "/portal/"): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}
