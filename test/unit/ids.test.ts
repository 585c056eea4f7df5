import assert from "node:assert/strict";
import { test } from "node:test";
import { newSecret } from "../../src/core/ids.ts";

test("generated secrets never start with '-', so they can follow a flag on a command line", () => {
  // One in 64 base64url texts starts with '-': 5,000 draws would show dozens.
  for (let i = 0; i < 5000; i++) {
    const secret = newSecret(3);
    assert.equal(secret.length, 4);
    assert.ok(!secret.startsWith("-"), secret);
  }
});
