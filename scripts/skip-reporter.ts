/**
 * A test reporter that records every skipped test (file, name, reason) as one JSON line; `scripts/run-tests.ts`
 * prints them after the run and fails it on a skip without a reason, or on any skip when KEYLESS_TEST_NO_SKIPS=1
 * (CI, which installs everything a test needs).
 */
interface TestEvent {
  type: string;
  data: { name?: string; file?: string; skip?: string | boolean; nesting?: number };
}

export default async function* skipReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { skip, name, file } = event.data;
    if (skip === undefined || skip === false) continue;
    yield `${JSON.stringify({ file, name, reason: typeof skip === "string" ? skip : "" })}\n`;
  }
}
