import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { PORTAL_DIR } from "../../src/http/portal-surface.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");

/** Newest modification time under a folder, in ms. */
function newest(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );
}

/**
 * `npm install` builds the portal; a worktree that shares another's node_modules, or sources edited since, would
 * test a missing or stale build. Rebuilds when build/portal is older than any file in src/web (a few seconds).
 */
export function ensurePortalBuilt(): void {
  const index = join(PORTAL_DIR, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, "src", "web"))) return;
  execFileSync(join(ROOT, "node_modules", ".bin", "vite"), ["build", "--config", join(ROOT, "scripts", "portal-vite.config.ts")], {
    cwd: ROOT,
    stdio: "ignore",
  });
}

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
  page.setDefaultTimeout(30_000);
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
