/**
 * Portal first load on loopback, in Debian's chromium (playwright-core): bytes transferred and time to interactive
 * (navigation start → the sign-in button is there and React is running), for a cold cache and a warm one, and the
 * time from submitting the sign-in form to the first blade with data (code redeemed, ARM listed). Medians of
 * --runs (default 5). Not a timed test.
 *
 *   node bench/portal.ts [--runs 5]      (npm run bench:portal; needs a built portal, i.e. npm install)
 */
import { availableParallelism, cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { ensurePortalBuilt, launchChromium, newPage } from "../test/harness/browser.ts";
import { ADMIN_PASSWORD, startKeyless } from "../test/harness/keyless-process.ts";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs takes a positive integer");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

ensurePortalBuilt();
const keyless = await startKeyless();
const browser = await launchChromium();
const cold: { ms: number; bytes: number }[] = [];
const warm: { ms: number; bytes: number }[] = [];
const signIn: number[] = [];
try {
  const url = `${keyless.facts.url}/portal/`;
  for (let run = 0; run < RUNS; run++) {
    const page = await newPage(browser);
    for (const into of [cold, warm]) {
      await page.goto(url);
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      into.push(
        await page.evaluate(() => {
          // Runs in the page; typed by hand because this file is type-checked against Node's globals.
          const timing = globalThis.performance as unknown as { now(): number; getEntriesByType(type: string): { transferSize: number }[] };
          const entries = [...timing.getEntriesByType("navigation"), ...timing.getEntriesByType("resource")];
          return { ms: timing.now(), bytes: entries.reduce((sum, e) => sum + e.transferSize, 0) };
        }),
      );
    }
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("User name").fill(keyless.facts.adminUsername);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    const start = performance.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Keyless Subscription" }).waitFor();
    signIn.push(performance.now() - start);
    await page.context().close();
  }
} finally {
  await browser.close();
  await keyless.stop();
  keyless.cleanup();
}

const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
console.log(`machine: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores; ${RUNS} runs, medians`);
console.log(
  `cold cache: ${median(cold.map((c) => c.ms)).toFixed(0)} ms to interactive, ${kb(median(cold.map((c) => c.bytes)))} transferred`,
);
console.log(
  `warm cache: ${median(warm.map((c) => c.ms)).toFixed(0)} ms to interactive, ${kb(median(warm.map((c) => c.bytes)))} transferred`,
);
console.log(`sign-in submitted → subscriptions listed: ${median(signIn).toFixed(0)} ms`);
