/** Polls `probe` every 20 ms until it returns true; the time it took, or a failure after `limitMs`. */
export async function until(what: string, limitMs: number, probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await probe()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what}: not within ${limitMs} ms`);
}
