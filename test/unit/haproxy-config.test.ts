import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { haproxyConfig } from "../harness/cluster.ts";

test("docs/operations.md shows the HAProxy configuration the cluster harness runs", () => {
  const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "operations.md"), "utf8");
  const rendered = haproxyConfig({
    bind: "0.0.0.0:443",
    caFile: "/etc/keyless/ca.pem",
    statsSocket: "/run/haproxy/admin.sock",
    servers: [1, 2, 3].map((i) => ({ name: `node${i}`, address: `10.0.0.1${i}:8443` })),
  });
  assert.ok(doc.includes(`\`\`\`\n${rendered}\`\`\``), "the fenced block in docs/operations.md differs from haproxyConfig()");
});
