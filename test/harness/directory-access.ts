import { readFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "../../src/core/clock.ts";
import { createSealedBox } from "../../src/core/sealed-box.ts";
import { createDirectory } from "../../src/directory/directory.ts";
import { createManagedIdentities } from "../../src/directory/managed-identities.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { createStore } from "../../src/storage/store.ts";
import { openKeyRing } from "../../src/tokens/signing-keys.ts";

/**
 * The directory functions a running server's operator (or the integrator's CLI) would call, opened on the
 * server's own SQLite file. Used where no HTTP surface for the function exists yet (managed identities' workload
 * settings) or a test must forge what no client can (tokens signed with the server's keys); application
 * certificates and federated credentials go through Graph instead (test/harness/graph-credentials.ts).
 */
export async function directoryAccess(keyless: { dataDir: string }) {
  const database = await openDatabase(`sqlite:${join(keyless.dataDir, "keyless.db")}`);
  const store = createStore(database);
  const box = createSealedBox(Buffer.from(readFileSync(join(keyless.dataDir, "master.key"), "utf8").trim(), "base64"));
  return {
    store,
    directory: createDirectory(store.directory, systemClock, box.lookupDigest),
    /** The server's own signing keys, for tests that must forge otherwise-valid tokens (expired, wrong audience…). */
    keys: await openKeyRing(store.keys, box),
    /** Turns a user's accountEnabled off, as an administrator would through Graph. */
    async disableUser(userId: string): Promise<void> {
      await database.db.updateTable("users").set({ account_enabled: 0 }).where("id", "=", userId).execute();
    },
    managedIdentities: createManagedIdentities(store.credentials, box, systemClock),
    close: () => database.close(),
  };
}
