import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makePrivate } from "./private-files.ts";

/**
 * The master key of the sealed box: the configured one (base64), else `{dataDir}/master.key`, created (0600) on
 * first start.
 */
export function loadMasterKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, "base64");
  const path = join(dataDir, "master.key");
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  makePrivate(path);
  return Buffer.from(readFileSync(path, "utf8").trim(), "base64");
}
