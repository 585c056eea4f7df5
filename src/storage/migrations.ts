import type { Kysely, Migration, MigrationProvider } from "kysely";
import type { Dialect } from "./dialect.ts";
import * as initial from "./migrations/0001-initial.ts";
import * as groups from "./migrations/0002-groups.ts";
import * as credentials from "./migrations/0003-credentials.ts";
import * as roleDefinitions from "./migrations/0004-role-definitions.ts";
import * as arm from "./migrations/0005-arm.ts";
import * as callLog from "./migrations/0006-call-log.ts";
import * as callLogPromptText from "./migrations/0007-call-log-prompt-text.ts";
import * as callLogTraceId from "./migrations/0008-call-log-trace-id.ts";
import * as responses from "./migrations/0009-responses.ts";
import * as changeDeltas from "./migrations/0010-change-deltas.ts";
import * as templateDeployments from "./migrations/0011-template-deployments.ts";
import * as roleAssignmentScopePrefix from "./migrations/0012-role-assignment-scope-prefix.ts";
import * as directoryLists from "./migrations/0013-directory-lists.ts";
import * as displayNamePrefix from "./migrations/0014-display-name-prefix.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
type Step = { up(db: Kysely<any>, dialect: Dialect): Promise<void> };

/** Numbered migrations, one file each under `migrations/`; never edit a released one, add the next number. */
const steps: Record<string, Step> = {
  "0001-initial": initial,
  "0002-groups": groups,
  "0003-credentials": credentials,
  "0004-role-definitions": roleDefinitions,
  "0005-arm": arm,
  "0006-call-log": callLog,
  "0007-call-log-prompt-text": callLogPromptText,
  "0008-call-log-trace-id": callLogTraceId,
  "0009-responses": responses,
  "0010-change-deltas": changeDeltas,
  "0011-template-deployments": templateDeployments,
  "0012-role-assignment-scope-prefix": roleAssignmentScopePrefix,
  "0013-directory-lists": directoryLists,
  "0014-display-name-prefix": displayNamePrefix,
};

/** The names of the migrations this version knows, oldest first. */
export const migrationNames: readonly string[] = Object.keys(steps);

export function migrations(dialect: Dialect): MigrationProvider {
  const all: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(steps)) all[name] = { up: (db) => step.up(db, dialect) };
  return { getMigrations: async () => all };
}
