import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { accountKeyAuthority } from "./arm/account-keys.ts";
import type { Authorize, ExplainDenial } from "./arm/arm-caller.ts";
import type { ArmDeps } from "./arm/arm-deps.ts";
import { dataPlaneResources } from "./arm/data-plane-resources.ts";
import { findRoleDefinition } from "./arm/role-definitions.ts";
import { sweepAbandonedRuns } from "./arm/template-deployments/deployment-leases.ts";
import { diffResource, planTemplate } from "./arm/templates/index.ts";
import { createActivityLog } from "./audit/activity-log.ts";
import { createCallLog } from "./audit/call-log.ts";
import { grantSubscriptionOwner } from "./authz/assignment-writes.ts";
import { hasAccessWithin, policyDecisions } from "./authz/decisions.ts";
import { builtInRoles, conditionProblem, effectivePermissions, type LivePolicy, openLivePolicy } from "./authz/index.ts";
import { type BootstrapFacts, bootstrap } from "./bootstrap.ts";
import { ConfigError, loadConfig } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import { type Clock, nowIso, systemClock } from "./core/clock.ts";
import { heapShrinkAfterReloads } from "./core/heap.ts";
import { loadMasterKey } from "./core/master-key.ts";
import { restrictNewFiles } from "./core/private-files.ts";
import { createSealedBox, type SealedBox } from "./core/sealed-box.ts";
import { type AppCredentials, createAppCredentials } from "./directory/app-credentials.ts";
import { createDirectory, type Directory } from "./directory/directory.ts";
import { createManagedIdentities, type ManagedIdentities } from "./directory/managed-identities.ts";
import { principalType } from "./directory/principals.ts";
import { tokenIdentities } from "./directory/token-identities.ts";
import { buildApp } from "./http/app.ts";
import { armInProcess } from "./http/arm/in-process.ts";
import { createDrain, type DrainControl } from "./http/drain.ts";
import { httpLimits } from "./http/limits.ts";
import type { Services } from "./http/services.ts";
import { consoleLogFormat, prettyLogDestination } from "./http/console-log.ts";
import { startupReport as formatStartupReport } from "./http/startup-report.ts";
import { ensureLocalTls, loadUserTls, type TlsMaterial } from "./http/tls.ts";
import { observeModels } from "./inference/backends/observed.ts";
import { loadTokenizer } from "./inference/token-count.ts";
import { createModelRegistry, type ModelRegistry } from "./inference/backends/registry.ts";
import type { DataPlaneDeps } from "./inference/data-plane.ts";
import { applyVersionUpgrades } from "./arm/deployment-upgrades.ts";
import { contentFilterLookup, openClassifier } from "./inference/content-filter/index.ts";
import type { ContentClassifier } from "./inference/content-filter/types.ts";
import { dataPlaneLimits } from "./inference/data-plane-limits.ts";
import { deploymentViews } from "./inference/deployment-views.ts";
import { ModelsFileError, readModelsFile } from "./inference/model-config.ts";
import { createMemoryQuotaCounter, type QuotaCounter, type QuotaPeriod, quotaSpend } from "./inference/quotas.ts";
import { createRateLimiter, observeRefusals, type RateLimiter } from "./inference/rate-limits.ts";
import { responseStoreOver } from "./inference/responses.ts";
import { CHANGE_CHANNEL, type Change, type ChangeDelta } from "./storage/change-feed.ts";
import { openDatabase } from "./storage/database.ts";
import { createStore, type Store } from "./storage/store.ts";
import type { Metrics } from "./telemetry/metrics.ts";
import { backendObserver, deploymentLabels, recordTokenUsage } from "./telemetry/observers.ts";
import type { Tracing } from "./telemetry/tracing.ts";
import { clientAuthThrottle } from "./tokens/client-auth-throttle.ts";
import { type Federation, FederationFileError, loadFederation, noFederation } from "./tokens/federation.ts";
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
  /** The server's log, at its configured level and destination. */
  log: { error(details: object, message: string): void };
  /** Stops at once: connections, streams and calls in flight are cut. */
  close(): Promise<void>;
  /**
   * A graceful stop (a rolling restart): not ready, no new connections, calls in flight finish within
   * `graceSeconds`, streams still open then end with an SSE error event; then `close()`.
   */
  shutdown(graceSeconds: number): Promise<void>;
}

/** The composition root: config → storage → services → HTTP → listen. */
export interface StartHooks {
  /** After every full reload of the access policy (the first one during start included), once it is in use. */
  afterFullReload?(): void;
}

export async function startKeyless(config: Config, clock: Clock = systemClock, hooks: StartHooks = {}): Promise<RunningKeyless> {
  const dataDir = resolve(config.dataDir);
  // Everything the server writes (database, WAL, keys, certificates) is 0600, whatever the umask was.
  restrictNewFiles();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const box = createSealedBox(loadMasterKey(config.masterKey, dataDir));
  const tls =
    config.tlsCert && config.tlsKey
      ? await loadUserTls(config.tlsCert, config.tlsKey)
      : await ensureLocalTls(join(dataDir, "tls"), config.tlsHostnames);
  const database = await openDatabase(config.storage, { schema: config.storageSchema });
  const store = createStore(database);
  const directory = createDirectory(store.directory, clock, box.lookupDigest);
  const facts = await bootstrap(
    store,
    directory,
    clock,
    {
      tenantDomain: config.tenantDomain,
      adminUsername: config.adminUsername,
      adminPassword: config.adminPassword,
      demo: config.demo,
    },
    box,
  );
  const rotation = rotationPolicy(config.signingKeyRotationDays, config.tokenLifetimeSeconds);
  const keys = await openKeyRing(store.keys, box, clock, rotation);
  // Other per-node caches that decide access follow the same change feed (assembleServices adds them).
  const changeListeners: ((delta: ChangeDelta) => void)[] = [];
  const policy = await openLivePolicy({
    store: store.rbac,
    loadMembershipsPage: (after, limit) => store.directory.listGroupMembershipsPage(after, limit),
    onChange: (delta) => {
      for (const listener of changeListeners) listener(delta);
      if (delta.kind === "full") hooks.afterFullReload?.();
    },
    maxStalenessMs: config.policyMaxStalenessSeconds * 1000,
  });
  const managedIdentities = createManagedIdentities(store.credentials, box, clock);
  const appCredentials = createAppCredentials(store.credentials, store.directory, clock);
  const rejections: Live["rejections"] = { log: () => {} };
  const deploymentRuns: Live["deploymentRuns"] = { log: () => {}, running: new Set() };
  // Optional parts load their modules only when configured: OpenTelemetry's exporter and SDK, prom-client, ioredis
  // (and pg, in storage) are a third of the start-up import time otherwise (docs/benchmarks.md, keyless/testing).
  const tracing = config.otlpEndpoint ? (await import("./telemetry/tracing.ts")).createTracing(config.otlpEndpoint) : undefined;
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : (await import("./telemetry/metrics.ts")).createMetrics({ principalLabel: config.metricsPrincipalLabel });
  const catalog = createModelRegistry(
    config.modelsFile ? readModelsFile(config.modelsFile, config.yamlSizeLimit) : undefined,
    process.env,
    // Backend warnings can only fire on a data-plane call, after `app` exists.
    (message, err) => app.log.warn({ err: (err as Error)?.message }, message),
  );
  const models = metrics ? observeModels(catalog, backendObserver(metrics)) : catalog;
  const callLog = createCallLog(database.db, {
    flushEveryMs: 250,
    maxBatch: 500,
    onError: (err) => process.stderr.write(`call log write failed: ${(err as Error).message}\n`),
    retentionDays: config.callLogRetentionDays,
  });
  // Limiter warnings go to the server log; they can only fire on a data-plane call, after `app` exists.
  const warnStore = (message: string, err?: Error) => app.log.warn({ err: err?.message }, message);
  const redisStore = config.rateLimitStore !== "memory";
  const limiter = redisStore
    ? (await import("./inference/redis-rate-limits.ts")).openRateLimiter(config.rateLimitStore, warnStore)
    : createRateLimiter();
  const quotaCounter = redisStore
    ? (await import("./inference/redis-quota-counter.ts")).openQuotaCounter(config.rateLimitStore, warnStore)
    : createMemoryQuotaCounter();
  const drain = createDrain();
  const rateLimiter = metrics ? observeRefusals(limiter, (key) => metrics.rateLimitRejections.inc(deploymentLabels(key))) : limiter;
  const classifier = openClassifier(config, (err) => app.log.warn({ err: (err as Error).message }, "content moderation endpoint failed"));
  const services = assembleServices(store, directory, facts, clock, config, {
    keys,
    policy,
    box,
    managedIdentities,
    appCredentials,
    rejections,
    deploymentRuns,
    changeListeners,
    models,
    callLog,
    rateLimiter,
    quotaCounter,
    metrics,
    tracing,
    classifier,
    drain,
  });
  const app = buildApp(services, {
    drain,
    https: { key: tls.key, cert: tls.cert },
    logLevel: config.logLevel,
    ...(consoleLogFormat(config.logFormat, process.stdout.isTTY === true) === "pretty"
      ? {
          logDestination: prettyLogDestination((text) => process.stdout.write(text), {
            color: process.stdout.isTTY === true && !process.env.NO_COLOR,
          }),
        }
      : {}),
    origins: { publicUrl: config.publicUrl, hostNames: config.tlsHostnames },
  });
  // Refused tokens are logged by reason and a short digest, never the token itself.
  rejections.log = (event) => app.log.warn({ tokenRejection: event }, "access token rejected");
  deploymentRuns.log = (message, err) => app.log.error({ err }, message);
  await app.listen({ host: config.host, port: config.port });
  // Loaded only when configured, like the metrics themselves: importing node:http as an ES module also loads Node's
  // own copy of undici (for its WebSocket export), tens of milliseconds of every start (docs/benchmarks.md).
  const metricsPort = config.metricsPort;
  const metricsServer =
    metrics && metricsPort !== undefined
      ? await (await import("./telemetry/metrics-server.ts")).startMetricsServer(
          metrics,
          { host: config.metricsHost, port: metricsPort },
          () => {
            metrics.policyGeneration.set(policy.authorizer.generation);
            metrics.policyAge.set((Date.now() - policy.confirmedAt) / 1000);
          },
        )
      : undefined;
  // Polling confirms the policy is current at least three times within the staleness limit; on PostgreSQL every
  // committed change also wakes the node at once.
  const pollMs = Math.min(config.policyPollIntervalMs, (config.policyMaxStalenessSeconds * 1000) / 3);
  const stopPolling = policy.startPolling(pollMs, (err) => app.log.warn({ err }, "policy refresh failed"));
  const wake = () => void policy.refresh().catch(() => undefined);
  const changeSignal = database.listen?.(CHANGE_CHANNEL, {
    onNotify: wake,
    onConnected: wake,
    onError: (err) => app.log.warn({ err }, "change notifications: connection lost, reconnecting"),
  });
  // Hourly: rotate signing keys when due (any node may), and pick up keys other nodes added.
  const keyTimer = setInterval(() => {
    const step = config.signingKeyRotationDays > 0 ? rotateSigningKeys(store.keys, box, clock, rotation) : Promise.resolve();
    step.then(() => keys.reload()).catch((err) => app.log.warn({ err }, "signing key rotation failed"));
  }, 3600_000);
  keyTimer.unref();
  // Deployments follow their versionUpgradeOption at start (the models file may name a new default version) and hourly
  // (a version may pass its deprecation date); moved deployments reach every node's caches through the change feed.
  const upgradeDeployments = () =>
    void applyVersionUpgrades(services.arm)
      .then(async (moved) => {
        for (const d of moved)
          app.log.info({ deployment: d.id, version: (d.properties.model as { version: string }).version }, "deployment upgraded");
        const first = moved[0];
        if (first) await services.resourcesChanged(first.id);
      })
      .catch((err) => app.log.warn({ err }, "deployment version upgrades failed"));
  upgradeDeployments();
  const upgradeTimer = setInterval(upgradeDeployments, 3600_000);
  upgradeTimer.unref();
  // Expired Responses API responses go at start and hourly (reads already ignore them).
  const pruneResponses = () =>
    void store.responses.deleteExpired(new Date().toISOString()).catch((err) => app.log.warn({ err }, "deleting expired responses failed"));
  pruneResponses();
  const responsesTimer = setInterval(pruneResponses, 3600_000);
  responsesTimer.unref();
  // A template deployment whose node stopped mid-run is failed by the first node to notice, at start or later.
  const stopRunSweep = sweepAbandonedRuns(
    store.deployments,
    clock,
    (failed) => app.log.warn({ failed }, "template deployments whose run stopped with its node are marked Failed"),
    (err) => app.log.warn({ err }, "looking for abandoned template deployments failed"),
  );
  const port = (app.server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= closeAll();
    return closing;
  };
  return {
    url: config.publicUrl.replace(/:\d+$/, `:${port}`),
    port,
    tls,
    facts,
    metricsUrl: metricsServer?.url,
    log: app.log,
    async shutdown(graceSeconds) {
      const { cutRequests } = await drain.begin(app, graceSeconds * 1000);
      app.log.info({ cutRequests }, "shut down gracefully");
      await close();
    },
    close,
  };
  async function closeAll() {
    stopPolling();
    await changeSignal?.close();
    await metricsServer?.close();
    await tracing?.shutdown();
    clearInterval(keyTimer);
    clearInterval(upgradeTimer);
    clearInterval(responsesTimer);
    stopRunSweep();
    await app.close();
    await Promise.allSettled([...deploymentRuns.running]);
    await callLog.close();
    await rateLimiter.close?.();
    await quotaCounter.close?.();
    await models.close();
    await classifier.close?.();
    await database.close();
  }
}

type Live = {
  keys: Awaited<ReturnType<typeof openKeyRing>>;
  policy: LivePolicy;
  managedIdentities: ManagedIdentities;
  appCredentials: AppCredentials;
  rejections: { log: (event: TokenRejectionEvent) => void };
  /** Background template deployment runs, awaited on close; failures go to the server log once `app` exists. */
  deploymentRuns: { log: (message: string, err: unknown) => void; running: Set<Promise<void>> };
  changeListeners: ((delta: ChangeDelta) => void)[];
  box: SealedBox;
  models: ModelRegistry;
  callLog: ReturnType<typeof createCallLog>;
  rateLimiter: RateLimiter;
  quotaCounter: QuotaCounter;
  metrics: Metrics | undefined;
  tracing: Tracing | undefined;
  drain: DrainControl;
  classifier: ContentClassifier;
};

function assembleServices(store: Store, directory: Directory, facts: BootstrapFacts, clock: Clock, config: Config, live: Live): Services {
  const tracing = live.tracing;
  // Only the operator's issuers are ever fetched: the federatedIssuers setting and the federation file's issuers.
  const allowedIssuers = new Set(config.federatedIssuers);
  const issuerKeys = remoteIssuerKeys({ allows: (issuer) => allowedIssuers.has(issuer) || federation.find(issuer) !== undefined });
  const federation: Federation = config.federationFile
    ? loadFederation(config.federationFile, issuerKeys, facts.tenantId, config.yamlSizeLimit)
    : noFederation;
  const decisions = policyDecisions(live.policy, (operation, decision) =>
    live.metrics?.rbacDecisions.inc({ kind: operation.kind, result: decision.kind === "allowed" ? "allowed" : "denied" }),
  );
  const authorize: Authorize = decisions.allowsAction;
  // ARM denials carry the same explanation as data-plane denials and the check-access answer.
  const explainDenial: ExplainDenial = decisions.explainAction;
  const policyChanged = (applied?: Change) => live.policy.refresh(applied);
  const views = deploymentViews(dataPlaneResources(store.resources, facts.tenantId), live.models);
  const accountKeys = accountKeyAuthority({ arm: store.arm, box: live.box, resources: store.resources });
  const validator = createTokenValidator(live.keys, clock, {
    federation,
    federatedMaxLifetimeSeconds: config.federatedTokenMaxLifetimeSeconds,
    principalStatus: (objectId) => directory.principalStatus(objectId),
    onRejection: (event) => live.rejections.log(event),
  });
  live.changeListeners.push((delta) => {
    if (delta.kind === "principal" || delta.kind === "object.delete") validator.forgetPrincipals(delta.id);
    else if (delta.kind === "full") validator.forgetPrincipals();
    if (delta.kind === "resources" || delta.kind === "full") views.clear();
  });
  const dataPlane: DataPlaneDeps = {
    findAccount: views.findAccount,
    findDeployment: views.findDeployment,
    listDeployments: views.listDeployments,
    authorizeDataAction: decisions.dataActionVerdict,
    verifyAccountKey: (accountId, key) => accountKeys.verifyAccountKey(accountId, key),
    recordCall(record) {
      if (config.recordCalls) live.callLog.record(record);
      if (live.metrics) recordTokenUsage(live.metrics, record);
    },
    rateLimiter: live.rateLimiter,
    quotas: {
      find: async (account) => (await views.findQuotas(account)) ?? [],
      groupsOf: (principalId) => live.policy.groupsOf(principalId),
      counter: live.quotaCounter,
    },
    limits: dataPlaneLimits(config),
    responses: responseStoreOver(store.responses),
    accountHostSuffix: config.accountHostSuffix,
    recordPromptText: config.recordPromptText,
    contentFilterFor: contentFilterLookup(views.findContentPolicy, live.classifier),
  };
  const services: Services = {
    limits: httpLimits(config),
    arm: {
      ...armDeps(store, directory, clock, live, authorize),
      explainDenial,
      raiLimits: {
        maxItems: config.raiBlocklistMaxItems,
        patternMaxLength: config.raiBlocklistPatternMaxLength,
        batchMaxItems: config.raiBlocklistBatchMaxItems,
      },
    },
    templateDeployments: {
      store: store.deployments,
      // A template is part of the request body, so the ARM body limit bounds it too.
      planTemplate: (template, parameters, context) =>
        planTemplate(template, parameters, context, { limits: { maxTemplateBytes: config.armBodyLimit } }),
      diffResource,
      armAs: (caller, origin, correlationId) => armInProcess(services, caller, origin, correlationId),
      concurrency: config.templateDeploymentConcurrency,
      historyLimit: config.templateDeploymentHistoryLimit,
      parallelism: 4,
      logFailure: (message, err) => live.deploymentRuns.log(message, err),
      track(run) {
        live.deploymentRuns.running.add(run);
        void run.finally(() => live.deploymentRuns.running.delete(run));
      },
    },
    activityLog: createActivityLog(store.activity, clock),
    tokenService: {
      identities: tokenIdentities(store, directory, facts.tenantId, live.managedIdentities),
      keys: live.keys,
      clock,
      grants: store.grants,
      issuerKeys,
      tokenLifetimeSeconds: config.tokenLifetimeSeconds,
      assertionMaxLifetimeSeconds: config.federatedTokenMaxLifetimeSeconds,
      clientAuthThrottle: clientAuthThrottle(clock, {
        failuresPerSource: config.clientAuthFailuresPerSource,
        failuresPerClient: config.clientAuthFailuresPerClient,
      }),
    },
    keys: live.keys,
    validator,
    directory,
    managedIdentities: live.managedIdentities,
    appCredentials: live.appCredentials,
    defaultTenantId: facts.tenantId,
    dataPlane,
    roleAssignments: {
      store: store.rbac,
      clock,
      authorize,
      explainDenial,
      findRole: (guid) => findRoleDefinition({ store: store.rbac, builtInRoles }, guid),
      groupsOf: (principalId) => live.policy.groupsOf(principalId),
      findPrincipalType: (id) => directory.principalType(id),
      conditionProblem,
      policyChanged,
    },
    roleDefinitions: {
      store: store.rbac,
      clock,
      authorize,
      explainDenial,
      builtInRoles,
      conditionProblem,
      policyChanged,
      customRolesPerTenant: config.customRolesPerTenant,
    },
    access: {
      store: store.rbac,
      clock,
      authorize,
      explainDenial,
      effectivePermissions: (principalId, scope) => effectivePermissions(live.policy.snapshot, principalId, scope),
      checkAccess: decisions.checkAccess,
      policyChanged,
    },
    subscriptions: {
      listTenants: () => directory.listTenants(),
      listSubscriptions: (tenantId) => store.resources.listSubscriptions(tenantId),
      getSubscription: (id) => store.resources.getSubscription(id),
      hasAccessWithin: (caller, scope) => hasAccessWithin(store.rbac, live.policy.groupsOf, caller.principalId, scope),
    },
    armCaller: (principalId, tenantId, upn) => ({ principalId, tenantId, clientName: upn ?? principalId }),
    directoryChanged: policyChanged,
    async resourcesChanged(path) {
      views.clear();
      // Role and deny assignments and role definitions travel as their own changes; anything else may change an
      // account, its keys or deployments, which other nodes cache briefly.
      if (!/\/providers\/microsoft\.authorization\//i.test(path)) {
        await store.changes.record("resources", nowIso(clock), { kind: "resources" });
      }
    },
    async notReadyReason() {
      if (!(await store.database.ping(2000))) return "storage does not answer";
      if (live.keys.jwks().keys.length === 0) return "no signing key is loaded";
      return live.policy.staleReason();
    },
    policyCurrent: () => live.policy.requireCurrent(),
    drain: live.drain,
    metrics: live.metrics,
    traceCall: tracing && ((name, traceparent) => tracing.startCall(name, traceparent)),
  };
  return services;
}

/** The ARM providers' dependencies: storage, the authorizer, the sealed box, the model catalog, RBAC clean-up. */
function armDeps(store: Store, directory: Directory, clock: Clock, live: Live, authorize: Authorize): ArmDeps {
  return {
    resources: store.resources,
    arm: store.arm,
    clock,
    authorize,
    box: live.box,
    // The ARM catalog lists what the data plane can run; each entry names its backend.
    models: {
      list: () =>
        live.models.listModels().map((m) => ({
          format: m.format,
          name: m.name,
          version: m.version,
          backend: `${m.provider}:${m.backendModel}`,
          lifecycleStatus: m.lifecycle.status,
          isDefaultVersion: m.lifecycle.isDefaultVersion,
          deprecationDate: m.lifecycle.deprecationDate,
          skus: m.lifecycle.skus,
        })),
    },
    managedIdentities: {
      create: (input) => live.managedIdentities.createManagedIdentity({ ...input, kind: "UserAssigned" }),
      async delete(resourceId) {
        if (await live.managedIdentities.getManagedIdentity(resourceId)) await live.managedIdentities.deleteManagedIdentity(resourceId);
      },
      workloadEnvironment: (resourceId, origin) => live.managedIdentities.workloadEnvironment(resourceId, origin),
      rotateSecret: (resourceId) => live.managedIdentities.rotateEndpointSecret(resourceId),
    },
    async scopeDeleted(scope) {
      if ((await store.rbac.deleteAssignmentsAtOrBelow(scope, nowIso(clock))) > 0) await live.policy.refresh();
    },
    async grantOwner(subscriptionId, principalId, tenantId) {
      const principal = await directory.getPrincipal(principalId);
      await grantSubscriptionOwner(store.rbac, clock, {
        subscriptionId,
        tenantId,
        principalId,
        principalType: principal ? principalType(principal) : "User",
        description: "Creator of the subscription",
        by: principalId,
      });
      await live.policy.refresh();
    },
    callLog: live.callLog,
    quotaSpend: (quota) => quotaSpend(live.quotaCounter, { id: quota.id, period: quota.period as QuotaPeriod }, clock.now()),
    isGlobalAdministrator: (principalId, tenantId) => directory.isGlobalAdministrator(principalId, tenantId),
  };
}

/** What start-up prints (see http/startup-report.ts). */
export function startupReport(running: RunningKeyless, config: Config): string {
  return formatStartupReport(running, config.storage);
}

/**
 * `keyless serve`: configuration from flags and environment, start, print the start-up report, stop gracefully on
 * SIGINT or SIGTERM (`shutdownGraceSeconds`; a second signal stops at once). Returns once listening; `closed`
 * settles when the server has stopped. A bad setting exits 2.
 */
export async function serve(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, out: (text: string) => void) {
  const config = loadConfig({ argv, env });
  // A long-running server gives back what its full reloads left behind (in-process servers of a test suite do not
  // pay the pause).
  const running = await startKeyless(config, systemClock, { afterFullReload: heapShrinkAfterReloads() });
  out(startupReport(running, config));
  // A long-running server loads the tokenizer now, so the first data-plane call does not wait for it. Should that
  // fail (its ranks file missing or unreadable), the server still serves: each call that counts tokens tries again
  // and, until one load succeeds, fails as any internal failure does (the data plane answers 500 InternalServerError).
  loadTokenizer().catch((err: Error) => running.log.error({ err }, `${err.message}; calls that count tokens fail until it loads`));
  let stopped: Promise<void> | undefined;
  const close = () => {
    stopped ??= running.close();
    return stopped;
  };
  const closed = new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = () => {
      if (signalled) {
        running.close().then(resolve);
        return;
      }
      signalled = true;
      stopped ??= running.shutdown(config.shutdownGraceSeconds);
      stopped.then(resolve);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  return { running, config, closed, close };
}

async function main(): Promise<void> {
  try {
    const { closed } = await serve(process.argv.slice(2), process.env, (text) => process.stdout.write(text));
    await closed;
    process.exit(0);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ModelsFileError || err instanceof FederationFileError) {
      process.stderr.write(`ERROR: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

if (import.meta.main) await main();
