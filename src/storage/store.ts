import type { Database } from "./database.ts";
import { activityStore } from "./activity-store.ts";
import { armStore } from "./arm-store.ts";
import { changeFeed } from "./change-feed.ts";
import { credentialStore } from "./credential-store.ts";
import { deploymentStore } from "./deployment-store.ts";
import { directoryStore } from "./directory-store.ts";
import { grantStore } from "./grant-store.ts";
import { keyStore } from "./key-store.ts";
import { rbacStore } from "./rbac-store.ts";
import { resourceStore } from "./resource-store.ts";
import { responseStore } from "./response-store.ts";

/** The one repository layer over either dialect. */
export function createStore(database: Database) {
  const { db } = database;
  return {
    database,
    directory: directoryStore(db),
    resources: resourceStore(db),
    rbac: rbacStore(db),
    keys: keyStore(db),
    arm: armStore(db),
    activity: activityStore(db),
    grants: grantStore(db),
    credentials: credentialStore(db),
    changes: changeFeed(db),
    responses: responseStore(db),
    deployments: deploymentStore(db),
  };
}

export type Store = ReturnType<typeof createStore>;
