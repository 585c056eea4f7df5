import { join } from "node:path";
import { ACCOUNT_TYPE, newDeployment } from "../../src/arm/cognitive-services.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { createStore } from "../../src/storage/store.ts";

/**
 * Opens a running instance's SQLite database beside it, for state no public API sets yet on this branch
 * (deployments on configured models, `disableLocalAuth`). The server reads these per call, so changes apply at once.
 */
export async function directStore(dataDir: string) {
  const database = await openDatabase(`sqlite:${join(dataDir, "keyless.db")}`);
  const store = createStore(database);
  const account = async (name: string) => (await store.resources.findResourcesByName(ACCOUNT_TYPE, name))[0]!;
  return {
    async addDeployment(accountName: string, name: string, model: { format: string; name: string; version: string }, capacity = 100) {
      const at = new Date().toISOString();
      await store.resources.upsertResource(newDeployment(await account(accountName), { name, model, capacity, createdBy: null, at }));
    },
    async setDisableLocalAuth(accountName: string, disabled: boolean) {
      const record = await account(accountName);
      await store.resources.upsertResource({ ...record, properties: { ...record.properties, disableLocalAuth: disabled } });
    },
    async callLog() {
      return database.db.selectFrom("call_log").selectAll().orderBy("at").execute();
    },
    close: () => database.close(),
  };
}
