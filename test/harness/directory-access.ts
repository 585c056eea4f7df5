import { readFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "../../src/core/clock.ts";
import { createSealedBox } from "../../src/core/sealed-box.ts";
import { createAppCredentials } from "../../src/directory/app-credentials.ts";
import { createManagedIdentities } from "../../src/directory/managed-identities.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { createStore } from "../../src/storage/store.ts";
import type { KeylessProcess } from "./keyless-process.ts";

/**
 * The directory functions a running server's operator (or the integrator's CLI) would call, opened on the
 * server's own SQLite file. Used where no HTTP surface for the function exists yet (certificates, federated
 * credentials, managed identities); the server reads the same rows on every token request.
 */
export async function directoryAccess(keyless: KeylessProcess) {
  const database = await openDatabase(`sqlite:${join(keyless.dataDir, "keyless.db")}`);
  const store = createStore(database);
  const credentials = createAppCredentials(store.credentials, store.directory, systemClock);
  const box = createSealedBox(Buffer.from(readFileSync(join(keyless.dataDir, "master.key"), "utf8").trim(), "base64"));
  return {
    store,
    credentials,
    managedIdentities: createManagedIdentities(store.credentials, box, systemClock),
    async applicationIdOf(appId: string): Promise<string> {
      const application = await store.directory.findApplicationByAppId(appId);
      if (!application) throw new Error(`no application ${appId}`);
      return application.id;
    },
    close: () => database.close(),
  };
}
