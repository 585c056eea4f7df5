import { nowIso } from "../core/clock.ts";
import type { ResourceRecord } from "../storage/records.ts";
import type { ArmDeps, ModelCatalogEntry } from "./arm-deps.ts";
import { DEPLOYMENT_TYPE, type ModelRef } from "./cognitive-services.ts";

/**
 * A deployment's `versionUpgradeOption`, as Azure has it: `OnceNewDefaultVersionAvailable` (the default) moves it to
 * the catalog's default version of its model as soon as that is another version; `OnceCurrentVersionExpired` only
 * once its version is retired (past its `deprecationDate`, or gone from the catalog); `NoAutoUpgrade` never.
 */
export const VERSION_UPGRADE_OPTIONS = ["OnceNewDefaultVersionAvailable", "OnceCurrentVersionExpired", "NoAutoUpgrade"] as const;
export type VersionUpgradeOption = (typeof VERSION_UPGRADE_OPTIONS)[number];

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether a catalog version is retired at `now`. */
export function isRetired(entry: ModelCatalogEntry | undefined, now: number): boolean {
  return entry === undefined || (entry.deprecationDate !== undefined && Date.parse(entry.deprecationDate) <= now);
}

/** The version a deployment of `model` should run, given its option and the catalog at `now`. */
export function upgradedVersion(model: ModelRef, option: VersionUpgradeOption, catalog: readonly ModelCatalogEntry[], now: number): string {
  if (option === "NoAutoUpgrade") return model.version;
  const versions = catalog.filter((m) => same(m.format, model.format) && same(m.name, model.name));
  const target = versions.find((m) => m.isDefaultVersion && !isRetired(m, now));
  if (!target || target.version === model.version) return model.version;
  if (option === "OnceNewDefaultVersionAvailable") return target.version;
  return isRetired(
    versions.find((m) => m.version === model.version),
    now,
  )
    ? target.version
    : model.version;
}

/**
 * Applies every deployment's upgrade option against the current catalog (run at start, when the models file may have
 * a new default, and hourly, when a version may have passed its deprecation date). Returns the deployments moved.
 */
export async function applyVersionUpgrades(deps: Pick<ArmDeps, "resources" | "models" | "clock">): Promise<ResourceRecord[]> {
  const catalog = deps.models.list();
  const now = deps.clock.now();
  const moved: ResourceRecord[] = [];
  for (const deployment of await deps.resources.listResourcesOfType(DEPLOYMENT_TYPE)) {
    const model = deployment.properties.model as ModelRef | undefined;
    if (!model) continue;
    const option = (deployment.properties.versionUpgradeOption ?? "OnceNewDefaultVersionAvailable") as VersionUpgradeOption;
    const version = upgradedVersion(model, option, catalog, now);
    if (version === model.version) continue;
    const updated: ResourceRecord = {
      ...deployment,
      properties: { ...deployment.properties, model: { ...model, version } },
      updatedAt: nowIso(deps.clock),
    };
    await deps.resources.upsertResource(updated);
    moved.push(updated);
  }
  return moved;
}
