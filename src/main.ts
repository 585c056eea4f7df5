import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { BuiltInRoleIds } from "./authz/builtin-roles.ts";
import { newGuid } from "./core/ids.ts";
import { scopeRelation } from "./core/scope.ts";
import { builtInRoles, conditionProblem, effectivePermissions, explainDecision, type Operation, openLivePolicy } from "./authz/index.ts";
import { findRoleDefinition } from "./arm/role-definitions.ts";
import { type Clock, nowIso } from "./core/clock.ts";
import { systemClock } from "./core/clock.ts";
import { createSealedBox, type SealedBox } from "./core/sealed-box.ts";
import { bootstrap, type BootstrapFacts } from "./bootstrap.ts";
import { ConfigError, loadConfig } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import { createDirectory } from "./directory/directory.ts";
import { type AppCredentials, createAppCredentials } from "./directory/app-credentials.ts";
import { createManagedIdentities, type ManagedIdentities } from "./directory/managed-identities.ts";
import { principalType } from "./directory/principals.ts";
import { buildApp } from "./http/app.ts";
import { httpLimits } from "./http/limits.ts";
import type { Services } from "./http/services.ts";
import { ensureLocalTls, loadUserTls, type TlsMaterial } from "./http/tls.ts";
import type { ExplainDenial } from "./arm/access-denied.ts";
import type { AssignmentAttributes, Authorize } from "./arm/arm-caller.ts";
import { accountKeyAuthority } from "./arm/account-keys.ts";
import type { ArmDeps } from "./arm/arm-deps.ts";
import { createActivityLog } from "./audit/activity-log.ts";
import { DirectoryRoles } from "./directory/principals.ts";
import { ACCOUNT_TYPE, DEPLOYMENT_TYPE } from "./arm/cognitive-services.ts";
import { createCallLog } from "./audit/call-log.ts";
import { createModelRegistry, type ModelRegistry } from "./inference/backends/registry.ts";
import type { AccountView, DataPlaneDeps, DataPlaneLimits, DeploymentView } from "./inference/data-plane.ts";
import { ModelsFileError, readModelsFile } from "./inference/model-config.ts";
import { cachedLookup } from "./inference/lookup-cache.ts";
import { observeRefusals, type RateLimiter } from "./inference/rate-limits.ts";
import { observeModels } from "./inference/backends/observed.ts";
import { createMetrics, type Metrics } from "./telemetry/metrics.ts";
import { startMetricsServer } from "./telemetry/metrics-server.ts";
import { backendObserver, deploymentLabels, recordTokenUsage } from "./telemetry/observers.ts";
import { openRateLimiter } from "./inference/redis-rate-limits.ts";
import type { ResourceRecord } from "./storage/records.ts";
import { openDatabase } from "./storage/database.ts";
import { createStore, type Store } from "./storage/store.ts";
import type { IdentitySource } from "./tokens/identity-source.ts";
import { loadFederation, noFederation } from "./tokens/federation.ts";
import { remoteIssuerKeys } from "./tokens/issuer-keys.ts";
import { openKeyRing, rotateSigningKeys, rotationPolicy } from "./tokens/signing-keys.ts";
import { createTokenValidator, type TokenRejectionEvent } from "./tokens/validator.ts";

export interface RunningKeyless {
  url: string;
  port: number;
  tls: TlsMaterial;
  facts: BootstrapFacts;
  /** The Prometheus endpoint, when `metricsPort` is set. */
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

/** The composition root: config → storage → services → HTTP → listen. */
export async function startKeyless(config: Config, clock: Clock = systemClock): Promise<RunningKeyless> {
  const dataDir = resolve(config.dataDir ?? ".keyless");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const box = createSealedBox(masterKey(config, dataDir));
  const tls =
    config.tlsCert && config.tlsKey
      ? await loadUserTls(config.tlsCert, config.tlsKey)
      : await ensureLocalTls(join(dataDir, "tls"), config.tlsHostnames ?? []);
  const database = await openDatabase(config.storage, { schema: config.storageSchema ?? "public" });
  const store = createStore(database);
  const directory = createDirectory(store.directory, clock);
  const facts = await bootstrap(
    store,
    directory,
    clock,
    {
      tenantDomain: config.tenantDomain!,
      adminUsername: config.adminUsername,
      adminPassword: config.adminPassword,
      demo: config.demo ?? true,
    },
    box,
  );
  const rotation = rotationPolicy(config.signingKeyRotationDays ?? 30, config.tokenLifetimeSeconds ?? 3900);
  const keys = await openKeyRing(store.keys, box, clock, rotation);
  const policy = await openLivePolicy({ store: store.rbac, loadMemberships: () => store.directory.listGroupMemberships() });
  const managedIdentities = createManagedIdentities(store.credentials, box, clock);
  const appCredentials = createAppCredentials(store.credentials, store.directory, clock);
  const rejections: Live["rejections"] = { log: () => {} };
  const metrics = config.metricsPort === undefined ? undefined : createMetrics({ principalLabel: config.metricsPrincipalLabel ?? false });
  const catalog = createModelRegistry(config.modelsFile ? readModelsFile(config.modelsFile, config.yamlSizeLimit) : undefined, process.env);
  const models = metrics ? observeModels(catalog, backendObserver(metrics)) : catalog;
  const callLog = createCallLog(database.db, {
    flushEveryMs: 250,
    maxBatch: 500,
    onError: (err) => process.stderr.write(`call log write failed: ${(err as Error).message}\n`),
    retentionDays: config.callLogRetentionDays ?? 30,
  });
  // Limiter warnings go to the server log; they can only fire on a data-plane call, after `app` exists.
  const limiter = openRateLimiter(config.rateLimitStore ?? "memory", (message, err) => app.log.warn({ err: err?.message }, message));
  const rateLimiter = metrics ? observeRefusals(limiter, (key) => metrics.rateLimitRejections.inc(deploymentLabels(key))) : limiter;
  const services = assembleServices(store, directory, facts, clock, config, {
    keys,
    policy,
    box,
    managedIdentities,
    appCredentials,
    rejections,
    models,
    callLog,
    rateLimiter,
    metrics,
  });
  const app = buildApp(services, { https: { key: tls.key, cert: tls.cert }, logLevel: config.logLevel ?? "info" });
  // Refused tokens are logged by reason and a short digest, never the token itself.
  rejections.log = (event) => app.log.warn({ tokenRejection: event }, "access token rejected");
  await app.listen({ host: config.host!, port: config.port! });
  const metricsServer =
    metrics &&
    (await startMetricsServer(metrics, { host: config.metricsHost ?? "127.0.0.1", port: config.metricsPort! }, () => {
      metrics.policyGeneration.set(policy.authorizer.generation);
      metrics.policyAge.set((Date.now() - policy.confirmedAt) / 1000);
    }));
  const stopPolling = policy.startPolling(1000, (err) => app.log.warn({ err }, "policy refresh failed"));
  // Hourly: rotate signing keys when due (any node may), and pick up keys other nodes added.
  const keyTimer = setInterval(() => {
    const step = (config.signingKeyRotationDays ?? 30) > 0 ? rotateSigningKeys(store.keys, box, clock, rotation) : Promise.resolve();
    step.then(() => keys.reload()).catch((err) => app.log.warn({ err }, "signing key rotation failed"));
  }, 3600_000);
  keyTimer.unref();
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: config.publicUrl.replace(/:\d+$/, `:${port}`),
    port,
    tls,
    facts,
    metricsUrl: metricsServer?.url,
    async close() {
      stopPolling();
      await metricsServer?.close();
      clearInterval(keyTimer);
      await app.close();
      await callLog.close();
      await rateLimiter.close?.();
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
  managedIdentities: ManagedIdentities;
  appCredentials: AppCredentials;
  rejections: { log: (event: TokenRejectionEvent) => void };
  box: SealedBox;
  models: ModelRegistry;
  callLog: ReturnType<typeof createCallLog>;
  rateLimiter: RateLimiter;
  metrics: Metrics | undefined;
};

function assembleServices(
  store: Store,
  directory: ReturnType<typeof createDirectory>,
  facts: BootstrapFacts,
  clock: Clock,
  config: Config,
  live: Live,
): Services {
  const issuerKeys = remoteIssuerKeys();
  const federation = config.federationFile
    ? loadFederation(config.federationFile, issuerKeys, facts.tenantId, config.yamlSizeLimit)
    : noFederation;
  // The one place a request meets the live policy; the authorizer adds the principal's groups from its snapshot.
  const decide = (principalId: string, operation: Operation, scope: string, attributes?: AssignmentAttributes) => {
    const decision = live.policy.authorizer.evaluate({
      principalId,
      groupIds: [],
      operation,
      scope,
      ...(attributes ? { attributes } : {}),
    });
    live.metrics?.rbacDecisions.inc({ kind: operation.kind, result: decision.kind === "allowed" ? "allowed" : "denied" });
    return decision;
  };
  const armAuthorize: Authorize = async (caller, action, scope, attributes) =>
    decide(caller.principalId, { kind: "action", name: action }, scope, attributes).kind === "allowed";
  // ARM denials carry the same explanation as data-plane denials and the check-access answer.
  const explainDenial: ExplainDenial = (caller, action, scope, attributes) => {
    const operation: Operation = { kind: "action", name: action };
    return {
      ...explainDecision(caller.principalId, operation, scope, decide(caller.principalId, operation, scope, attributes)),
    };
  };
  const findAccount = cachedLookup(
    LOOKUP_TTL_MS,
    (name: string) => name.toLowerCase(),
    async (name: string) => {
      const [account] = await store.resources.findResourcesByName(ACCOUNT_TYPE, name);
      if (!account) return undefined;
      const sub = await store.resources.getSubscription(account.subscriptionId);
      return {
        id: account.id,
        name: account.name,
        tenantId: sub?.tenantId ?? facts.tenantId,
        disableLocalAuth: account.properties.disableLocalAuth === true,
      };
    },
  );
  const findDeployment = cachedLookup(
    LOOKUP_TTL_MS,
    (account: AccountView, name: string) => `${account.id}/deployments/${name}`.toLowerCase(),
    async (account: AccountView, name: string) => {
      const deployment = await store.resources.getResource(`${account.id}/deployments/${name}`);
      return deployment && deploymentView(deployment, live.models);
    },
  );
  const accountKeys = accountKeyAuthority({ arm: store.arm, box: live.box, resources: store.resources });
  const dataPlane: DataPlaneDeps = {
    findAccount,
    findDeployment,
    async listDeployments(account) {
      const children = await store.resources.listChildren(account.id);
      return children
        .filter((r) => r.type.toLowerCase() === DEPLOYMENT_TYPE.toLowerCase())
        .flatMap((r) => deploymentView(r, live.models) ?? []);
    },
    async authorizeDataAction(caller, dataAction, scope) {
      const decision = decide(caller.principalId, { kind: "dataAction", name: dataAction }, scope);
      return decision.kind === "allowed"
        ? { allowed: true, assignmentId: decision.grants[0]?.assignmentId }
        : {
            allowed: false,
            explanation: { ...explainDecision(caller.principalId, { kind: "dataAction", name: dataAction }, scope, decision) },
          };
    },
    verifyAccountKey: (accountId, key) => accountKeys.verifyAccountKey(accountId, key),
    recordCall(record) {
      live.callLog.record(record);
      if (live.metrics) recordTokenUsage(live.metrics, record);
    },
    rateLimiter: live.rateLimiter,
    limits: dataPlaneLimits(config),
    accountHostSuffix: config.accountHostSuffix,
    recordPromptText: config.recordPromptText ?? false,
  };
  return {
    limits: httpLimits(config),
    arm: { ...armDeps(store, directory, clock, live, armAuthorize), explainDenial },
    activityLog: createActivityLog(store.activity, clock),
    tokenService: {
      identities: identitySource(store, directory, facts, live.managedIdentities),
      keys: live.keys,
      clock,
      grants: store.grants,
      issuerKeys,
      tokenLifetimeSeconds: config.tokenLifetimeSeconds ?? 3900,
    },
    keys: live.keys,
    validator: createTokenValidator(live.keys, clock, {
      federation,
      async principalStatus(objectId) {
        const principal = await directory.getPrincipal(objectId);
        if (!principal) return "deleted";
        return principal.kind === "user" && !principal.enabled ? "disabled" : "active";
      },
      onRejection: (event) => live.rejections.log(event),
    }),
    directory,
    managedIdentities: live.managedIdentities,
    appCredentials: live.appCredentials,
    defaultTenantId: facts.tenantId,
    dataPlane,
    roleAssignments: {
      store: store.rbac,
      clock,
      authorize: armAuthorize,
      explainDenial,
      findRole: (guid) => findRoleDefinition({ store: store.rbac, builtInRoles }, guid),
      conditionProblem,
      groupsOf: (principalId) => live.policy.groupsOf(principalId),
      findPrincipalType: async (id) => {
        const object = await directory.getObject(id);
        return object && ({ user: "User", group: "Group", servicePrincipal: "ServicePrincipal" } as const)[object.kind];
      },
      policyChanged: () => live.policy.refresh(),
    },
    roleDefinitions: {
      store: store.rbac,
      clock,
      authorize: armAuthorize,
      explainDenial,
      builtInRoles,
      conditionProblem,
      policyChanged: () => live.policy.refresh(),
    },
    access: {
      store: store.rbac,
      clock,
      authorize: armAuthorize,
      explainDenial,
      effectivePermissions: (principalId, scope) => effectivePermissions(live.policy.snapshot, principalId, scope),
      checkAccess: (principalId, operation, scope) => ({
        ...explainDecision(principalId, operation, scope, decide(principalId, operation, scope)),
      }),
      policyChanged: () => live.policy.refresh(),
    },
    subscriptions: {
      listTenants: () => directory.listTenants(),
      listSubscriptions: (tenantId) => store.resources.listSubscriptions(tenantId),
      getSubscription: (id) => store.resources.getSubscription(id),
      async hasAccessWithin(caller, scope) {
        // Assignments held through (nested) groups count too, as they do in every decision.
        const assignments = await store.rbac.listRoleAssignmentsOfPrincipals([
          caller.principalId,
          ...live.policy.groupsOf(caller.principalId),
        ]);
        return assignments.some((a) => scopeRelation(a.scope, scope) !== "unrelated");
      },
    },
    armCaller: (principalId, tenantId, upn) => ({ principalId, tenantId, clientName: upn ?? principalId }),
    directoryChanged: () => live.policy.refresh(),
    resourcesChanged() {
      findAccount.clear();
      findDeployment.clear();
    },
    ready: async () => (await store.database.ping()) && live.keys.jwks().keys.length > 0,
    metrics: live.metrics,
  };
}

/** The ARM providers' dependencies: storage, the authorizer, the sealed box, the model catalog, RBAC clean-up. */
function armDeps(store: Store, directory: ReturnType<typeof createDirectory>, clock: Clock, live: Live, authorize: Authorize): ArmDeps {
  return {
    resources: store.resources,
    arm: store.arm,
    clock,
    authorize,
    box: live.box,
    // The ARM catalog lists what the data plane can run; each entry names its backend.
    models: {
      list: () =>
        live.models
          .listModels()
          .map((m) => ({ format: m.format, name: m.name, version: m.version, backend: `${m.provider}:${m.backendModel}` })),
    },
    managedIdentities: {
      create: (input) => live.managedIdentities.createManagedIdentity({ ...input, kind: "UserAssigned" }),
      async delete(resourceId) {
        if (await live.managedIdentities.getManagedIdentity(resourceId)) await live.managedIdentities.deleteManagedIdentity(resourceId);
      },
      workloadEnvironment: (resourceId, origin) => live.managedIdentities.workloadEnvironment(resourceId, origin),
    },
    async scopeDeleted(scope) {
      if ((await store.rbac.deleteAssignmentsUnder(scope, nowIso(clock))) > 0) await live.policy.refresh();
    },
    async grantOwner(subscriptionId, principalId, tenantId) {
      const principal = await directory.getPrincipal(principalId);
      const at = nowIso(clock);
      await store.rbac.insertRoleAssignment({
        id: newGuid(),
        tenantId,
        scope: `/subscriptions/${subscriptionId}`,
        roleDefinitionId: BuiltInRoleIds.OWNER,
        principalId,
        principalType: principal ? principalType(principal) : "User",
        description: "Creator of the subscription",
        condition: null,
        conditionVersion: null,
        createdOn: at,
        createdBy: principalId,
        updatedOn: at,
        updatedBy: principalId,
      });
      await live.policy.refresh();
    },
    async isGlobalAdministrator(principalId, tenantId) {
      const roles = await store.directory.directoryRolesOf(principalId);
      const principal = await directory.getPrincipal(principalId);
      return principal?.tenantId === tenantId && roles.includes(DirectoryRoles.globalAdministrator);
    },
  };
}

/** The data plane's request limits, from their settings. */
function dataPlaneLimits(config: Config): DataPlaneLimits {
  return {
    chat: { maxMessages: config.chatMaxMessages ?? 2048, maxTools: config.chatMaxTools ?? 128 },
    embeddings: {
      maxInputs: config.embeddingsMaxInputs ?? 2048,
      maxInputTokens: config.embeddingsMaxInputTokens ?? 8192,
      maxDimensions: config.embeddingsMaxDimensions ?? 3072,
    },
    chatBodyBytes: config.chatBodyLimit ?? 1_048_576,
    embeddingsBodyBytes: config.embeddingsBodyLimit ?? 1_048_576,
    jsonDepth: config.jsonDepthLimit ?? 64,
  };
}

/** A deployment resource bound to the catalog model that serves it; undefined when its model is unknown here. */
function deploymentView(deployment: ResourceRecord, models: ModelRegistry): DeploymentView | undefined {
  const model = deployment.properties.model as { format: string; name: string; version: string } | undefined;
  const catalog = model && models.findModel(model.format, model.name, model.version);
  if (!catalog) return undefined;
  const capacity = deployment.sku?.capacity;
  return {
    id: deployment.id,
    name: deployment.name,
    modelName: catalog.name,
    modelFormat: catalog.provider,
    modelType: catalog.modelType,
    backend: catalog.backend,
    backendModel: catalog.backendModel,
    capacity: typeof capacity === "number" ? capacity : undefined,
    modelLimits: catalog.limits,
  };
}

function identitySource(
  store: Store,
  directory: ReturnType<typeof createDirectory>,
  facts: BootstrapFacts,
  managedIdentities: ManagedIdentities,
): IdentitySource {
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
      return (
        user && {
          id: user.id,
          tenantId: user.tenantId,
          userPrincipalName: user.userPrincipalName,
          displayName: user.displayName,
          enabled: user.accountEnabled,
        }
      );
    },
    clientCertificates: (applicationId) => store.credentials.listKeyCredentials(applicationId),
    federatedCredentials: (applicationId) => store.credentials.listFederatedCredentials(applicationId),
    async findManagedIdentityBySecret(secret) {
      const identity = await managedIdentities.findByEndpointSecret(secret);
      return (
        identity && {
          clientId: identity.clientId,
          principalId: identity.principalId,
          tenantId: identity.tenantId,
          resourceId: identity.resourceId,
          name: identity.name,
        }
      );
    },
    async findUser(id) {
      const user = await store.directory.getUser(id);
      return (
        user && {
          id: user.id,
          tenantId: user.tenantId,
          userPrincipalName: user.userPrincipalName,
          displayName: user.displayName,
          enabled: user.accountEnabled,
        }
      );
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
    ...(facts.demo
      ? [`  data plane (demo)         ${url}/accounts/${facts.demo.account}/models  (deployment '${facts.demo.deployment}')`]
      : []),
    `  health                    ${url}/healthz  ${url}/readyz`,
    ...(running.metricsUrl ? [`  metrics (Prometheus)      ${running.metricsUrl}`] : []),
    `tenant ${facts.tenantId}, subscription ${facts.subscriptionId}, administrator ${facts.adminUsername}`,
    ...(facts.generatedAdminPassword ? [`Generated administrator password (shown once): ${facts.generatedAdminPassword}`] : []),
    `Trust the local CA (${tls.caPath}):`,
    `  export NODE_EXTRA_CA_CERTS=${tls.caPath}`,
    `  export REQUESTS_CA_BUNDLE=${tls.caPath}`,
  ];
  const machine = {
    event: "keyless.ready",
    url,
    port: running.port,
    caPath: tls.caPath,
    tenantId: facts.tenantId,
    subscriptionId: facts.subscriptionId,
    adminUsername: facts.adminUsername,
    authorityHost: url,
    armEndpoint: url,
    graphEndpoint: `${url}/graph/`,
    storage: config.storage.startsWith("postgres") ? "postgres" : "sqlite",
    metricsUrl: running.metricsUrl ?? null,
    demo: facts.demo ? { ...facts.demo, endpoint: `${url}/accounts/${facts.demo.account}/models` } : null,
  };
  return `${lines.join("\n")}\nKEYLESS_READY ${JSON.stringify(machine)}\n`;
}

/**
 * `keyless serve`: configuration from flags and environment, start, print the start-up report, stop on SIGINT or
 * SIGTERM. Returns once listening; `closed` settles when the server has stopped. A bad setting exits 2.
 */
export async function serve(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, out: (text: string) => void) {
  const config = loadConfig({ argv, env });
  const running = await startKeyless(config);
  out(startupReport(running, config));
  let stopped: Promise<void> | undefined;
  const close = () => {
    stopped ??= running.close();
    return stopped;
  };
  const closed = new Promise<void>((resolve) => {
    const stop = () => close().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return { running, config, closed, close };
}

async function main(): Promise<void> {
  try {
    const { closed } = await serve(process.argv.slice(2), process.env, (text) => process.stdout.write(text));
    await closed;
    process.exit(0);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ModelsFileError) {
      process.stderr.write(`ERROR: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

if (import.meta.main) await main();
