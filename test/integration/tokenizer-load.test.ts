import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "node:test";
import { call } from "../harness/clients.ts";
import { startDataPlaneWorld } from "../harness/data-plane-world.ts";
import { until } from "../harness/until.ts";

test("keyless serve whose tokenizer ranks are missing logs one error, keeps serving, answers counting calls with the data plane's error, and counts once the file is back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keyless-tokenizer-"));
  const ranks = join(dir, "o200k_base.tiktoken");
  // A preload that points the server's look-up of the ranks file at one that does not exist yet.
  const preload = join(dir, "ranks-elsewhere.mjs");
  writeFileSync(
    preload,
    `import { registerHooks } from "node:module";
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === "gpt-tokenizer/data/o200k_base.tiktoken") return { url: ${JSON.stringify(pathToFileURL(ranks).href)}, shortCircuit: true };
    return next(specifier, context);
  },
});
`,
  );
  let output = "";
  const world = await startDataPlaneWorld({
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${pathToFileURL(preload).href}` },
    onOutput: (chunk) => {
      output += chunk;
    },
  });
  try {
    const failedLoad = /The tokenizer could not be loaded/;
    await until("the failed load is logged", 10_000, async () => failedLoad.test(output));
    const chat = () =>
      call("POST", world.deploymentUrl("echo", "chat/completions"), world.token, { messages: [{ role: "user", content: "hello" }] });
    const failed = await chat();
    // The data plane's answer to any failure of its own that is not a catalog error: a 500 naming the request id,
    // not a 502 that would blame the model backend.
    assert.equal(failed.status, 500, JSON.stringify(failed.body));
    const error = (failed.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "InternalServerError", JSON.stringify(failed.body));
    assert.match(error.message, /request id: \S+\.$/);

    copyFileSync(fileURLToPath(import.meta.resolve("gpt-tokenizer/data/o200k_base.tiktoken")), ranks);
    const counted = await chat();
    assert.equal(counted.status, 200, JSON.stringify(counted.body));
    assert.ok((counted.body as { usage: { prompt_tokens: number } }).usage.prompt_tokens > 0);

    await sleep(100);
    assert.equal(world.keyless.pid > 0 && (await Promise.race([world.keyless.exited, sleep(0, "running")])), "running");
    assert.doesNotMatch(output, /UnhandledPromiseRejection|unhandledRejection/);
    assert.equal(output.match(/calls that count tokens fail until it loads/g)?.length, 1, output);
  } finally {
    await world.stop();
  }
});
