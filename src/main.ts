import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { builtInRoleById } from "./authz/builtin-roles.ts";
import { openLivePolicy } from "./authz/live-policy.ts";
import type { Clock } from "./core/clock.ts";
import { systemClock } from "./core/clock.ts";
import { createSealedBox } from "./core/sealed-box.ts";
import { bootstrap, type BootstrapFacts } from "./bootstrap.ts";
import { ConfigError, loadConfig } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import { createDirectory } from "./directory/directory.ts";
import { principalType } from "./directory/principals.ts";
import { buildApp } from "./http/app.ts";
import type { Services } from "./http/services.ts";
import { ensureLocalTls, loadUserTls, type TlsMaterial } from "./http/tls.ts";
import { ACCOUNT_TYPE, DEPLOYMENT_TYPE } from "./arm/cognitive-services.ts";
import { createCallLog } from "./audit/call-log.ts";
import { createModelRegistry, type ModelRegistry } from "./inference/backends/registry.ts";
import type { AccountView, DataPlaneDeps, DeploymentView } from "./inference/data-plane.ts";
import { ModelsFileError, readModelsFile } from "./inference/model-config.ts";
import { cachedLookup } from "./inference/lookup-cache.ts";
import { createRateLimiter } from "./inference/rate-limits.ts";
import type { ResourceRecord } from "./storage/records.ts";
import { openDatabase } from "./storage/database.ts";
import { createStore, type Store } from "./storage/store.ts";
import type { IdentitySource } from "./tokens/identity-source.ts";
import { openKeyRing } from "./tokens/signing-keys.ts";
import { createTokenValidator } from "./tokens/validator.ts";

export interface RunningKeyless {
  url: string;
  port: number;
  tls: TlsMaterial;
  facts: BootstrapFacts;
  close(): Promise<void>;
}

/** The composition root: config → storage → services → HTTP → listen. */
export async function startKeyless(config: Config, clock: Clock = systemClock): Promise<RunningKeyless> {
  const dataDir = resolve(config.dataDir ?? ".keyless");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const box = createSealedBox(masterKey(config, dataDir));
  const tls = config.tlsCert && config.tlsKey ? await loadUserTls(config.tlsCert, config.tlsKey) : await ensureLocalTls(join(dataDir, "tls"), config.tlsHostnames ?? []);
  const database = await openDatabase(config.storage, { schema: config.storageSchema ?? "public" });
  const store = createStore(database);
  const directory = createDirectory(store.directory, clock);
  const facts = await bootstrap(store, directory, clock, {
    tenantDomain: config.tenantDomain!, adminUsername: config.adminUsername, adminPassword: config.adminPassword, demo: config.demo ?? true,
  });
  const keys = await openKeyRing(store.keys, box);
  const policy = await openLivePolicy(store.rbac);
  const models = createModelRegistry(config.modelsFile ? readModelsFile(config.modelsFile) : undefined, process.env);
  const callLog = createCallLog(database.db, { flushEveryMs: 250, maxBatch: 500, onError: (err) => process.stderr.write(`call log write failed: ${(err as Error).message}\n`) });
  const services = assembleServices(store, directory, facts, clock, config, { keys, policy, models, callLog });
  const app = buildApp(services, { https: { key: tls.key, cert: tls.cert }, logLevel: config.logLevel ?? "info" });
  await app.listen({ host: config.host!, port: config.port! });
  const stopPolling = policy.startPolling(1000, (err) => app.log.warn({ err }, "policy refresh failed"));
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: config.publicUrl.replace(/:\d+$/, `:${port}`),
    port,
    tls,
    facts,
    async close() {
      stopPolling();
      await app.close();
      await callLog.close();
      await models.close();
      await database.close();
    },
  };
}

/** How long the data plane may reuse an account or deployment read (see inference/lookup-cache.ts). */
const LOOKUP_TTL_MS = 1000;

type Live = {
  keys: Awaited<ReturnType<typeof openKeyRing>>;
  policy: Awaited<ReturnType<typeof openLivePolicy>>;
  models: ModelRegistry;
  callLog: ReturnType<typeof createCallLog>;
};

function assembleServices(store: Store, directory: ReturnType<typeof createDirectory>, facts: BootstrapFacts, clock: Clock, config: Config, live: Live): Services {
  const authorize = async (principalId: string, kind: "action" | "dataAction", name: string, scope: string, roleDefinitionId?: string) =>
    live.policy.authorizer.evaluate({ principalId, groupIds: [], operation: { kind, name }, scope, ...(roleDefinitionId ? { attributes: { roleDefinitionId } } : {}) });
  const dataPlane: DataPlaneDeps = {
    findAccount: cachedLookup(LOOKUP_TTL_MS, (name: string) => name.toLowerCase(), async (name: string) => {
      const [account] = await store.resources.findResourcesByName(ACCOUNT_TYPE, name);
      if (!account) return undefined;
      const sub = await store.resources.getSubscription(account.subscriptionId);
      return { id: account.id, name: account.name, tenantId: sub?.tenantId ?? facts.tenantId, disableLocalAuth: account.properties.disableLocalAuth === true };
    }),
    findDeployment: cachedLookup(LOOKUP_TTL_MS, (account: AccountView, name: string) => `${account.id}/deployments/${name}`.toLowerCase(), async (account: AccountView, name: string) => {
      const deployment = await store.resources.getResource(`${account.id}/deployments/${name}`);
      return deployment && deploymentView(deployment, live.models);
    }),
    async listDeployments(account) {
      const children = await store.resources.listChildren(account.id);
      return children.filter((r) => r.type.toLowerCase() === DEPLOYMENT_TYPE.toLowerCase()).flatMap((r) => deploymentView(r, live.models) ?? []);
    },
    async authorizeDataAction(caller, dataAction, scope) {
      const decision = await authorize(caller.principalId, "dataAction", dataAction, scope);
      return decision.kind === "allowed"
        ? { allowed: true, assignmentId: decision.grants[0]?.assignmentId }
        : { allowed: false, explanation: { reason: decision.reason, scope: decision.scope, suggestedRoles: decision.suggestedRoles } };
    },
    // The `arm` branch stores account keys (sealed + HMAC look-up); until it is merged no key is valid.
    verifyAccountKey: async () => false,
    recordCall: (record) => live.callLog.record(record),
    rateLimiter: createRateLimiter(),
  };
  return {
    tokenService: { identities: identitySource(store, directory, facts), keys: live.keys, clock, tokenLifetimeSeconds: config.tokenLifetimeSeconds ?? 3900 },
    keys: live.keys,
    validator: createTokenValidator(live.keys, clock),
    directory,
    defaultTenantId: facts.tenantId,
    dataPlane,
    roleAssignments: {
      store: store.rbac,
      clock,
      authorize: async (caller, action, scope, attributes) => (await authorize(caller.principalId, "action", action, scope, attributes?.roleDefinitionId)).kind === "allowed",
      roleExists: (guid) => builtInRoleById(guid) !== undefined,
      findPrincipalType: async (id) => {
        const principal = await directory.getPrincipal(id.toLowerCase());
        return principal && principalType(principal);
      },
      policyChanged: () => live.policy.refresh(),
    },
    subscriptions: {
      listTenants: () => directory.listTenants(),
      listSubscriptions: (tenantId) => store.resources.listSubscriptions(tenantId),
      getSubscription: (id) => store.resources.getSubscription(id),
      async hasAccessWithin(caller, scope) {
        const key = scope.toLowerCase();
        const assignments = await store.rbac.listRoleAssignmentsOfPrincipals([caller.principalId]);
        return assignments.some((a) => {
          const at = a.scope.toLowerCase();
          return at === key || at.startsWith(`${key}/`) || key.startsWith(`${at}/`) || at === "/";
        });
      },
    },
    armCaller: (principalId, tenantId, upn) => ({ principalId, tenantId, clientName: upn ?? principalId }),
    ready: async () => (await store.database.ping()) && live.keys.jwks().keys.length > 0,
  };
}

/** A deployment resource bound to the catalog model that serves it; undefined when its model is unknown here. */
function deploymentView(deployment: ResourceRecord, models: ModelRegistry): DeploymentView | undefined {
  const model = deployment.properties.model as { format: string; name: string; version: string } | undefined;
  const catalog = model && models.findModel(model.format, model.name, model.version);
  if (!catalog) return undefined;
  const capacity = deployment.sku?.capacity;
  return {
    id: deployment.id, name: deployment.name, modelName: catalog.name, modelFormat: catalog.provider, modelType: catalog.modelType,
    backend: catalog.backend, backendModel: catalog.backendModel, capacity: typeof capacity === "number" ? capacity : undefined,
  };
}

function identitySource(store: Store, directory: ReturnType<typeof createDirectory>, facts: BootstrapFacts): IdentitySource {
  const asTenant = (t: { id: string; defaultDomain: string }) => ({ id: t.id, defaultDomain: t.defaultDomain });
  return {
    async findTenant(idOrDomain) {
      const tenants = await directory.listTenants();
      const match = tenants.find((t) => t.id === idOrDomain.toLowerCase() || t.defaultDomain.toLowerCase() === idOrDomain.toLowerCase());
      return match && asTenant(match);
    },
    async defaultTenant() {
      return asTenant((await directory.getTenant(facts.tenantId))!);
    },
    async findClient(tenantId, appId) {
      const application = await directory.findApplicationByAppId(appId.toLowerCase());
      if (!application || application.tenantId !== tenantId) return undefined;
      const sp = await store.directory.findServicePrincipal(tenantId, application.appId);
      return { applicationId: application.id, appId: application.appId, displayName: application.displayName, servicePrincipalId: sp?.id };
    },
    verifyClientSecret: (applicationId, secret) => directory.verifyClientSecret(applicationId, secret),
    async verifyUserPassword(upn, password) {
      const user = await directory.verifyUserPassword(upn, password);
      return user && { id: user.id, tenantId: user.tenantId, userPrincipalName: user.userPrincipalName, displayName: user.displayName, enabled: user.accountEnabled };
    },
  };
}

/** The master key from configuration, else from `{dataDir}/master.key`, created on first start. */
function masterKey(config: Config, dataDir: string): Buffer {
  if (config.masterKey) return Buffer.from(config.masterKey, "base64");
  const path = join(dataDir, "master.key");
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  return Buffer.from(readFileSync(path, "utf8").trim(), "base64");
}

/** What start-up prints: the URLs of every surface, how to trust the CA, and one JSON line for harnesses. */
export function startupReport(running: RunningKeyless, config: Config): string {
  const { url, tls, facts } = running;
  const lines = [
    `Keyless is listening on ${url}`,
    `  token service (Entra v2)  ${url}/${facts.tenantId}/v2.0/.well-known/openid-configuration`,
    `  token service (ADFS)      ${url}/adfs/.well-known/openid-configuration`,
    `  ARM                       ${url}/subscriptions/${facts.subscriptionId}`,
    `  Microsoft Graph           ${url}/graph/v1.0`,
    ...(facts.demo ? [`  data plane (demo)         ${url}/accounts/${facts.demo.account}/models  (deployment '${facts.demo.deployment}')`] : []),
    `  health                    ${url}/healthz  ${url}/readyz`,
    `tenant ${facts.tenantId}, subscription ${facts.subscriptionId}, administrator ${facts.adminUsername}`,
    ...(facts.generatedAdminPassword ? [`Generated administrator password (shown once): ${facts.generatedAdminPassword}`] : []),
    `Trust the local CA (${tls.caPath}):`,
    `  export NODE_EXTRA_CA_CERTS=${tls.caPath}`,
    `  export REQUESTS_CA_BUNDLE=${tls.caPath}`,
  ];
  const machine = {
    event: "keyless.ready", url, port: running.port, caPath: tls.caPath, tenantId: facts.tenantId, subscriptionId: facts.subscriptionId,
    adminUsername: facts.adminUsername, authorityHost: url, armEndpoint: url, graphEndpoint: `${url}/graph/`, storage: config.storage.startsWith("postgres") ? "postgres" : "sqlite",
    demo: facts.demo ? { ...facts.demo, endpoint: `${url}/accounts/${facts.demo.account}/models` } : null,
  };
  return `${lines.join("\n")}\nKEYLESS_READY ${JSON.stringify(machine)}\n`;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({ argv: process.argv.slice(2), env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ERROR: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const running = await startKeyless(config).catch((err: unknown) => {
    if (!(err instanceof ModelsFileError)) throw err;
    process.stderr.write(`ERROR: ${err.message}\n`);
    process.exit(2);
  });
  process.stdout.write(startupReport(running, config));
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (import.meta.main) await main();
