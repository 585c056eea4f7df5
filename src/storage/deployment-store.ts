import { type ExpressionBuilder, type Kysely, type RawBuilder, type Selectable, sql } from "kysely";
import { dialectOf } from "./dialect.ts";
import type { Tables } from "./tables.ts";
import { conflictOnDuplicate } from "./unique-violation.ts";

/** A template deployment (`Microsoft.Resources/deployments`); `parameters` never hold a secure value. */
export interface TemplateDeploymentRecord {
  id: string;
  name: string;
  subscriptionId: string;
  /** Null at subscription scope. */
  resourceGroup: string | null;
  location: string | null;
  tags: Record<string, string>;
  /** The id of the current run: its `operationStatuses/{runId}` URL reports it. */
  runId: string;
  provisioningState: string;
  mode: string;
  template: unknown;
  templateHash: string;
  parameters: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  outputResources: { id: string }[];
  dependencies: unknown[];
  error: Record<string, unknown> | null;
  correlationId: string;
  createdBy: string;
  startedAt: string;
  /**
   * The run's last write, by the database's clock (storage sets it, whatever the record says): the run's lease,
   * which a sweep on any node compares with that same clock.
   */
  updatedAt: string;
  endedAt: string | null;
}

/** One deployment operation: a resource the executor wrote, deleted or read, and how that went. */
export interface DeploymentOperationRecord {
  deploymentId: string;
  operationId: string;
  seq: number;
  provisioningOperation: string;
  provisioningState: string;
  targetId: string;
  targetType: string;
  targetName: string;
  apiVersion: string;
  statusCode: string | null;
  statusMessage: unknown;
  startedAt: string;
  endedAt: string | null;
}

export interface DeploymentResultRecord {
  id: string;
  subscriptionId: string;
  principalId: string;
  body: unknown;
  createdAt: string;
}

/** A deployment's run is under way in these states: it is neither deleted nor replaced then. */
const ACTIVE_STATES = ["Accepted", "Running"];

/** Template deployments, their operations and finished what-if results. */
export function deploymentStore(db: Kysely<Tables>) {
  return {
    /**
     * Creates or replaces a deployment (a new run of the same name replaces the old one and drops its operations,
     * and becomes the newest in the history). With `historyLimit`, the scope's history (its resource group's, or the
     * subscription's own) stays within the limit as Azure's does: when the scope holds that many already, its oldest
     * finished deployments are deleted with their operations to make room, never an accepted or running one; when
     * not enough can go, nothing is written and `count` says how many the scope holds. With `concurrencyLimit`,
     * nothing is written when the subscription has that many accepted or running already (`count`). The counts and
     * the deletions happen under locks of the subscription and of the scope (PostgreSQL: advisory locks for the
     * transaction, always in that order; SQLite writes one at a time), so creations on several nodes at once cannot
     * pass a limit together.
     */
    async putDeployment(
      d: TemplateDeploymentRecord,
      options: { historyLimit?: number; concurrencyLimit?: number } = {},
    ): Promise<{ stored: true; deleted: number } | { stored: false; limit: LimitName; count: number }> {
      const row = deploymentRow(d);
      try {
        return await db.transaction().execute(async (tx) => {
          if (options.concurrencyLimit !== undefined) {
            await takeTurn(tx, row.subscription_id);
            const active = await countActive(tx, row.subscription_id);
            if (active >= options.concurrencyLimit) throw new LimitReached("concurrency", active);
          }
          if (options.historyLimit !== undefined) await takeTurn(tx, `${row.subscription_id}/${row.resource_group ?? ""}`);
          await tx.deleteFrom("template_deployment_operations").where("deployment_key", "=", row.id_key).execute();
          await tx.deleteFrom("template_deployments").where("id_key", "=", row.id_key).execute();
          const deleted = options.historyLimit === undefined ? 0 : await makeRoom(tx, row, options.historyLimit);
          await tx
            .insertInto("template_deployments")
            .values({ ...row, updated_at: databaseTime(tx) })
            .execute();
          return { stored: true as const, deleted };
        });
      } catch (err) {
        if (err instanceof LimitReached) return { stored: false, limit: err.limit, count: err.count };
        throw err;
      }
    },
    /**
     * Updates the run's state, outputs, error and end, and touches it (`updatedAt`, by the database's clock: with an
     * empty patch, the run's heartbeat); only while `runId` is still the current run.
     */
    async updateRun(
      id: string,
      runId: string,
      patch: Partial<Pick<TemplateDeploymentRecord, "provisioningState" | "outputs" | "outputResources" | "error" | "endedAt">>,
    ): Promise<boolean> {
      const set: Partial<Tables["template_deployments"]> = {};
      if (patch.provisioningState !== undefined) set.provisioning_state = patch.provisioningState;
      if (patch.outputs !== undefined) set.outputs = patch.outputs === null ? null : JSON.stringify(patch.outputs);
      if (patch.outputResources !== undefined) set.output_resources = JSON.stringify(patch.outputResources);
      if (patch.error !== undefined) set.error = patch.error === null ? null : JSON.stringify(patch.error);
      if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
      const result = await db
        .updateTable("template_deployments")
        .set({ ...set, updated_at: databaseTime(db) })
        .where("id_key", "=", id.toLowerCase())
        .where("run_id", "=", runId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    /**
     * Fails every deployment still Accepted or Running that its run has not touched for `staleSeconds` by the
     * database's clock (the one its `updatedAt` was written by), with `error` and `endedAt`; how many it failed.
     */
    async failStale(staleSeconds: number, endedAt: string, error: unknown): Promise<number> {
      const result = await db
        .updateTable("template_deployments")
        .set({ provisioning_state: "Failed", error: JSON.stringify(error), ended_at: endedAt, updated_at: databaseTime(db) })
        .where("provisioning_state", "in", ACTIVE_STATES)
        .where("updated_at", "<", databaseTime(db, staleSeconds))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async getDeployment(id: string): Promise<TemplateDeploymentRecord | undefined> {
      const row = await db.selectFrom("template_deployments").selectAll().where("id_key", "=", id.toLowerCase()).executeTakeFirst();
      return row && deploymentRecord(row);
    },
    /** The deployments of a resource group, or those at subscription scope when `resourceGroup` is null. */
    async listDeployments(subscriptionId: string, resourceGroup: string | null): Promise<TemplateDeploymentRecord[]> {
      let query = db.selectFrom("template_deployments").selectAll().where("subscription_id", "=", subscriptionId.toLowerCase());
      query =
        resourceGroup === null
          ? query.where("resource_group", "is", null)
          : query.where("resource_group", "=", resourceGroup.toLowerCase());
      return (await query.orderBy("started_at").execute()).map(deploymentRecord);
    },
    /** How many deployments of a subscription are accepted or running (the concurrency limit counts them). */
    countActive: (subscriptionId: string) => countActive(db, subscriptionId.toLowerCase()),
    async deleteDeployment(id: string): Promise<boolean> {
      const key = id.toLowerCase();
      return db.transaction().execute(async (tx) => {
        await tx.deleteFrom("template_deployment_operations").where("deployment_key", "=", key).execute();
        const result = await tx.deleteFrom("template_deployments").where("id_key", "=", key).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
    async putOperation(op: DeploymentOperationRecord): Promise<void> {
      const row = operationRow(op);
      await db.transaction().execute(async (tx) => {
        await tx
          .deleteFrom("template_deployment_operations")
          .where("deployment_key", "=", row.deployment_key)
          .where("operation_id", "=", row.operation_id)
          .execute();
        await tx.insertInto("template_deployment_operations").values(row).execute();
      });
    },
    async listOperations(deploymentId: string): Promise<DeploymentOperationRecord[]> {
      const rows = await db
        .selectFrom("template_deployment_operations")
        .selectAll()
        .where("deployment_key", "=", deploymentId.toLowerCase())
        .orderBy("seq")
        .execute();
      return rows.map(operationRecord);
    },
    async insertResult(r: DeploymentResultRecord): Promise<void> {
      await conflictOnDuplicate(
        () =>
          db
            .insertInto("template_deployment_results")
            .values({
              id: r.id,
              subscription_id: r.subscriptionId.toLowerCase(),
              principal_id: r.principalId,
              body: JSON.stringify(r.body),
              created_at: r.createdAt,
            })
            .execute(),
        `Result '${r.id}' already exists.`,
      );
    },
    async getResult(id: string): Promise<DeploymentResultRecord | undefined> {
      const row = await db.selectFrom("template_deployment_results").selectAll().where("id", "=", id).executeTakeFirst();
      return (
        row && {
          id: row.id,
          subscriptionId: row.subscription_id,
          principalId: row.principal_id,
          body: JSON.parse(row.body) as unknown,
          createdAt: row.created_at,
        }
      );
    },
    /** Drops what-if results older than `before` (ISO-8601); clients read them within seconds. */
    async deleteResultsBefore(before: string): Promise<void> {
      await db.deleteFrom("template_deployment_results").where("created_at", "<", before).execute();
    },
  };
}

export type DeploymentStore = ReturnType<typeof deploymentStore>;

/** The first key of the advisory locks under which creations count toward the deployment limits (PostgreSQL). */
const LIMITS_LOCK = 0x6b6c6468;

/** The limit a refused creation met: its scope's history full of running ones, or its subscription's concurrency. */
type LimitName = "history" | "concurrency";

/** Rolls back a creation that met a limit. */
class LimitReached extends Error {
  readonly limit: LimitName;
  readonly count: number;
  constructor(limit: LimitName, count: number) {
    super(`The deployment ${limit} limit is reached at ${count}.`);
    this.limit = limit;
    this.count = count;
  }
}

async function countActive(db: Kysely<Tables>, subscriptionId: string): Promise<number> {
  const row = await db
    .selectFrom("template_deployments")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("subscription_id", "=", subscriptionId)
    .where("provisioning_state", "in", ACTIVE_STATES)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The deployments at `row`'s scope: its resource group, or the subscription's own (no resource group). */
const atScopeOf = (row: Tables["template_deployments"]) => (eb: ExpressionBuilder<Tables, "template_deployments">) =>
  eb.and([
    eb("subscription_id", "=", row.subscription_id),
    row.resource_group === null ? eb("resource_group", "is", null) : eb("resource_group", "=", row.resource_group),
  ]);

/** Waits for the creations counting under `key` (a subscription, or a scope `subscription/resourceGroup`) to commit. */
async function takeTurn(tx: Kysely<Tables>, key: string): Promise<void> {
  if (dialectOf(tx) !== "postgres") return;
  // Keyed by the schema too: installations sharing a database in schemas of their own do not wait for each other.
  await sql`select pg_advisory_xact_lock(${LIMITS_LOCK}, hashtext(current_schema() || '/' || ${key}))`.execute(tx);
}

/**
 * Deletes the scope's oldest finished deployments until one more fits within `limit`; how many went. Throws
 * HistoryFull when accepted and running ones alone leave no room.
 */
async function makeRoom(tx: Kysely<Tables>, row: Tables["template_deployments"], limit: number): Promise<number> {
  const held = await tx
    .selectFrom("template_deployments")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(atScopeOf(row))
    .executeTakeFirstOrThrow();
  const excess = Number(held.n) + 1 - limit;
  if (excess <= 0) return 0;
  const oldest = await tx
    .selectFrom("template_deployments")
    .select("id_key")
    .where(atScopeOf(row))
    .where("provisioning_state", "not in", ACTIVE_STATES)
    .orderBy("started_at")
    .orderBy("id_key")
    .limit(excess)
    .execute();
  if (oldest.length < excess) throw new LimitReached("history", Number(held.n));
  const keys = oldest.map((o) => o.id_key);
  await tx.deleteFrom("template_deployment_operations").where("deployment_key", "in", keys).execute();
  await tx.deleteFrom("template_deployments").where("id_key", "in", keys).execute();
  return keys.length;
}

/**
 * The database's clock, `secondsAgo` earlier, as the ISO-8601 text `nowIso` writes (UTC, milliseconds, `Z`): one
 * clock for every node, whose own clocks may disagree by minutes.
 */
function databaseTime(db: Kysely<Tables>, secondsAgo = 0): RawBuilder<string> {
  if (dialectOf(db) === "postgres")
    return sql<string>`to_char(now() at time zone 'UTC' - ${sql.lit(secondsAgo)} * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`-${secondsAgo} seconds`})`;
}

function deploymentRow(d: TemplateDeploymentRecord): Tables["template_deployments"] {
  return {
    id_key: d.id.toLowerCase(),
    id: d.id,
    name: d.name,
    subscription_id: d.subscriptionId.toLowerCase(),
    resource_group: d.resourceGroup === null ? null : d.resourceGroup.toLowerCase(),
    location: d.location,
    tags: JSON.stringify(d.tags),
    run_id: d.runId,
    provisioning_state: d.provisioningState,
    mode: d.mode,
    template: JSON.stringify(d.template),
    template_hash: d.templateHash,
    parameters: JSON.stringify(d.parameters),
    outputs: d.outputs === null ? null : JSON.stringify(d.outputs),
    output_resources: JSON.stringify(d.outputResources),
    dependencies: JSON.stringify(d.dependencies),
    error: d.error === null ? null : JSON.stringify(d.error),
    correlation_id: d.correlationId,
    created_by: d.createdBy,
    started_at: d.startedAt,
    updated_at: d.updatedAt,
    ended_at: d.endedAt,
  };
}

function deploymentRecord(row: Selectable<Tables["template_deployments"]>): TemplateDeploymentRecord {
  return {
    id: row.id,
    name: row.name,
    subscriptionId: row.subscription_id,
    resourceGroup: row.resource_group,
    location: row.location,
    tags: JSON.parse(row.tags) as Record<string, string>,
    runId: row.run_id,
    provisioningState: row.provisioning_state,
    mode: row.mode,
    template: JSON.parse(row.template) as unknown,
    templateHash: row.template_hash,
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    outputs: row.outputs === null ? null : (JSON.parse(row.outputs) as Record<string, unknown>),
    outputResources: JSON.parse(row.output_resources) as { id: string }[],
    dependencies: JSON.parse(row.dependencies) as unknown[],
    error: row.error === null ? null : (JSON.parse(row.error) as Record<string, unknown>),
    correlationId: row.correlation_id,
    createdBy: row.created_by,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
  };
}

function operationRow(op: DeploymentOperationRecord): Tables["template_deployment_operations"] {
  return {
    deployment_key: op.deploymentId.toLowerCase(),
    operation_id: op.operationId,
    seq: op.seq,
    provisioning_operation: op.provisioningOperation,
    provisioning_state: op.provisioningState,
    target_id: op.targetId,
    target_type: op.targetType,
    target_name: op.targetName,
    api_version: op.apiVersion,
    status_code: op.statusCode,
    status_message: op.statusMessage === undefined || op.statusMessage === null ? null : JSON.stringify(op.statusMessage),
    started_at: op.startedAt,
    ended_at: op.endedAt,
  };
}

function operationRecord(row: Selectable<Tables["template_deployment_operations"]>): DeploymentOperationRecord {
  return {
    deploymentId: row.deployment_key,
    operationId: row.operation_id,
    seq: Number(row.seq),
    provisioningOperation: row.provisioning_operation,
    provisioningState: row.provisioning_state,
    targetId: row.target_id,
    targetType: row.target_type,
    targetName: row.target_name,
    apiVersion: row.api_version,
    statusCode: row.status_code,
    statusMessage: row.status_message === null ? null : (JSON.parse(row.status_message) as unknown),
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}
