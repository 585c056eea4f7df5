import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { getHeapSpaceStatistics } from "node:v8";
import { loadConfig } from "../../src/config/load.ts";
import { shrinkHeap } from "../../src/core/heap.ts";
import { startKeyless } from "../../src/main.ts";
import { testServerEnv } from "../harness/keyless-process.ts";

const youngGenerationMb = () => getHeapSpaceStatistics().find((space) => space.space_name === "new_space")!.space_size / 2 ** 20;

test("shrinkHeap gives back a young generation grown by a burst of surviving allocations, once the heap is large enough", () => {
  // Objects that survive young collections make V8 grow the young generation (as a full policy reload does).
  let survivors: object[] = [];
  for (let i = 0; i < 2_000_000 && youngGenerationMb() < 16; i++) survivors.push({ i });
  survivors = [];
  const grown = youngGenerationMb();
  assert.ok(grown >= 16, `grew to ${grown} MB`);
  assert.equal(shrinkHeap(Number.POSITIVE_INFINITY), undefined, "a heap under the minimum is left as it is");
  assert.equal(youngGenerationMb(), grown);
  const pauseMs = shrinkHeap(0);
  assert.ok(youngGenerationMb() <= 2, `${youngGenerationMb()} MB after shrinkHeap (${grown} MB before)`);
  assert.ok(pauseMs !== undefined && pauseMs >= 0);
});

test("startKeyless calls afterFullReload once the start's full policy reload is in use", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "keyless-it-"));
  const config = loadConfig({ env: { ...process.env, KEYLESS_LOG_LEVEL: "silent", ...testServerEnv(dataDir) } });
  let reloads = 0;
  const running = await startKeyless(config, undefined, { afterFullReload: () => reloads++ });
  try {
    assert.equal(reloads, 1);
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
