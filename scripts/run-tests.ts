/**
 * Runs the test suite. The official clients under test trust a CA only through NODE_EXTRA_CA_CERTS, which Node
 * reads at process start, so this script makes one test CA and server certificate first, then starts the test
 * runner with that CA trusted; every service a test starts serves that certificate.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureLocalTls } from "../src/http/tls.ts";
import { dialects, dropTestSchemas } from "../test/harness/databases.ts";

// Test schemas are dropped around the run, never during it (see test/harness/databases.ts).
const postgres = dialects.includes("postgres");
if (postgres) await dropTestSchemas();
const dir = mkdtempSync(join(tmpdir(), "keyless-test-tls-"));
const tls = await ensureLocalTls(dir, []);
const files = process.argv.slice(2);
const child = spawn(
  process.execPath,
  ["--disable-warning=ExperimentalWarning", "--test", "--test-concurrency=2", ...(files.length > 0 ? files : ["test/**/*.test.ts"])],
  {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: tls.caPath,
      KEYLESS_TEST_TLS_CERT: tls.certPath,
      KEYLESS_TEST_TLS_KEY: tls.keyPath,
      KEYLESS_TEST_CA: tls.caPath,
    },
  },
);
child.on("exit", async (code, signal) => {
  rmSync(dir, { recursive: true, force: true });
  if (postgres) await dropTestSchemas().catch((err: Error) => process.stderr.write(`could not drop the test schemas: ${err.message}\n`));
  process.exit(code ?? (signal ? 1 : 0));
});
