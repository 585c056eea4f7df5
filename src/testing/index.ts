/**
 * `keyless/testing`: start a Keyless server from a test suite (node:test, Vitest, Jest), get everything a test
 * needs to call it (URLs, the CA and agents that trust it, tenant, subscription, credentials for the world's
 * principals, account keys), put the world back between tests with `reset()`, and `stop()` it. On Node 24 the server
 * runs in the test process; on an older Node, as a child process on Node 24 (the `node` dependency's runtime).
 */
import { Agent as HttpsAgent } from "node:https";
import module from "node:module";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Agent } from "undici";
import { packageDir, type ServerProcess, spawnServer } from "./server-process.ts";
import {
  forgetPreparedWorld,
  type PreparedWorld,
  restorePreparedWorld,
  savePreparedWorld,
  worldCacheDir,
  worldCacheKey,
} from "./world-cache.ts";

/** The public client id of the Azure CLI: users sign in through it (password grant), as `az login -u -p` does. */
export const AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

export interface StartKeylessOptions {
  /** A world file (users, apps, groups, resource groups, accounts, deployments, role assignments) to start with. */
  world?: string;
  /** Port on 127.0.0.1; default 0, a free one (kept across `reset()`). */
  port?: number;
  /** Administrator password; default: a generated one (see `admin`). */
  adminPassword?: string;
  /** More settings for the server, as environment variables (`KEYLESS_LOG_LEVEL`, `KEYLESS_MODELS_FILE`, …). */
  env?: Record<string, string>;
  /**
   * Where the server runs after start: `"in-process"` (the default on Node 24: `reset()` is a restart without a new
   * process) or `"child"` (a child process on Node 24; the only choice on older Nodes).
   */
  mode?: "in-process" | "child";
  /**
   * Use the prepared-world cache (default true): a world prepared by an earlier process with the same world file,
   * settings and Keyless build is copied from the user's cache folder instead of being prepared again (see the
   * docs' "prepared-world cache"; `KEYLESS_TESTING_CACHE=off` turns it off for every start).
   */
  cache?: boolean;
}

/** An app's client secret, as the world created it. */
export interface AppSecret {
  displayName: string;
  appId: string;
  secret: string;
}

export interface KeylessServer {
  /** The HTTPS origin, e.g. `https://127.0.0.1:54321`; also the `authorityHost` for @azure/identity. */
  url: string;
  port: number;
  tenantId: string;
  subscriptionId: string;
  /** The demo account's data-plane endpoint and deployment (null when the demo account is off). */
  demo: { resourceGroup: string; account: string; deployment: string; endpoint: string } | null;
  /** The local CA's certificate (PEM) and its file. */
  ca: string;
  caPath: string;
  /** An undici dispatcher that trusts the CA: `fetch(url, { dispatcher })`, `request(url, { dispatcher })`. */
  dispatcher: Agent;
  /** A node:https agent that trusts the CA. */
  httpsAgent: HttpsAgent;
  /**
   * Options for any Azure SDK client or @azure/identity credential so it trusts the CA without
   * NODE_EXTRA_CA_CERTS: spread them into the client's options.
   */
  clientOptions: Required<Pick<import("@azure/identity").TokenCredentialOptions, "additionalPolicies">>;
  admin: { username: string; password: string };
  /** Users of the world file (with their passwords) and apps with the secrets it created. */
  users: Record<string, string>;
  apps: Record<string, AppSecret>;
  /** An @azure/identity credential for a user (by UPN; default: the administrator) or an app (by display name). */
  credential(principal?: string): Promise<import("@azure/identity").TokenCredential>;
  /** An account's keys (ARM `listKeys`), as the administrator; default: the demo account. */
  accountKeys(account?: string, resourceGroup?: string): Promise<{ key1: string; key2: string }>;
  /** Puts the server back to the world as it was right after start (every change since is gone). */
  reset(): Promise<void>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/**
 * Puts the data dir's files back as they were in `pristine` (the database; a journal the server left is removed).
 * Its folders (the TLS material) are left alone: nothing changes them while the server runs.
 */
function restoreDatabase(pristine: string, dataDir: string): void {
  for (const name of readdirSync(dataDir))
    if (!existsSync(join(pristine, name))) rmSync(join(dataDir, name), { recursive: true, force: true });
  for (const entry of readdirSync(pristine, { withFileTypes: true }))
    if (entry.isFile()) copyFileSync(join(pristine, entry.name), join(dataDir, entry.name));
}

/**
 * Node's on-disk compile cache, turned on before the server's modules load in this process (about a third of a first
 * start's loading), in the package's node_modules/.cache/keyless as `keyless` does. It stays on for the process
 * (modules loaded later are cached there too); NODE_COMPILE_CACHE names another folder, NODE_DISABLE_COMPILE_CACHE=1
 * turns it off.
 */
function enableCompileCache(): void {
  if (module.getCompileCacheDir?.() === undefined) module.enableCompileCache?.(join(packageDir(), "node_modules", ".cache", "keyless"));
}

type Start = (port: number, settings: Record<string, string>, world?: string) => Promise<ServerProcess>;

/**
 * The world as started is kept in `pristine` (a copy of the data dir taken while the server is stopped), for
 * `reset()`. It comes from the prepared-world cache when an earlier process prepared the same world with the same
 * build and settings (world-cache.ts); else the world is applied on a first start, the copy taken (and saved to the
 * cache), and the server started again on the data dir.
 */
async function startPrepared(
  options: StartKeylessOptions,
  work: { dataDir: string; pristine: string; restartEnv: Record<string, string>; start: Start },
): Promise<{ server: ServerProcess; prepared: PreparedWorld }> {
  const { dataDir, pristine, restartEnv, start } = work;
  const cacheDir = options.cache === false ? undefined : worldCacheDir();
  // The server reads KEYLESS_* settings from this process's environment too (in process, and passed on to a child).
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (name.startsWith("KEYLESS_") && value !== undefined) env[name] = value;
  Object.assign(env, options.env);
  const key = cacheDir && worldCacheKey({ world: options.world, adminPassword: options.adminPassword, env });
  const cached = cacheDir && key ? restorePreparedWorld(cacheDir, key, pristine) : undefined;
  if (cacheDir && key && cached) {
    cpSync(pristine, dataDir, { recursive: true });
    try {
      return { server: await start(options.port ?? 0, restartEnv), prepared: cached };
    } catch {
      // A prepared world that does not start (a damaged copy) is prepared again.
      forgetPreparedWorld(cacheDir, key);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(pristine, { recursive: true, force: true });
    }
  }
  const adminPassword = options.adminPassword ?? `Kl-${crypto.randomUUID()}`;
  const first = await start(options.port ?? 0, { ...options.env, KEYLESS_ADMIN_PASSWORD: adminPassword }, options.world);
  await first.stop();
  cpSync(dataDir, pristine, { recursive: true });
  const prepared = { adminPassword, seeded: first.seeded, users: await worldPasswords(options.world) };
  if (cacheDir && key) savePreparedWorld(cacheDir, key, pristine, prepared);
  return { server: await start(first.facts.port, restartEnv), prepared };
}

/** The world's users that have a password, by user principal name. */
async function worldPasswords(world: string | undefined): Promise<Record<string, string>> {
  if (world === undefined) return {};
  const { parse } = await import("yaml");
  const users = (parse(readFileSync(world, "utf8")) as { users?: { userPrincipalName: string; password?: string }[] }).users;
  return Object.fromEntries((users ?? []).flatMap((user) => (user.password ? [[user.userPrincipalName, user.password]] : [])));
}

/** Starts Keyless with a world; resolves once it answers. */
export async function startKeyless(options: StartKeylessOptions = {}): Promise<KeylessServer> {
  const work = mkdtempSync(join(tmpdir(), "keyless-testing-"));
  const dataDir = join(work, "data");
  const pristine = join(work, "pristine");
  // On Node 24 the server runs in this process (no child to start, restarts in milliseconds); on older Nodes, as a
  // child on Node 24.
  const inProcess = options.mode !== "child" && Number(process.versions.node.split(".")[0]) >= 24;
  // Before the server's modules load, undici's included (imported below, not at the top, for that reason).
  if (inProcess) enableCompileCache();
  const start = async (port: number, settings: Record<string, string>, world?: string): Promise<ServerProcess> =>
    inProcess
      ? (await import("./in-process.ts")).startInProcess({ dataDir, port, env: settings, world })
      : spawnServer({ dataDir, port, env: settings, world });
  // Restarts are given no administrator password: the data dir has the administrator, and checking a given
  // password against it (for start-up's "not applied" warning) would cost a scrypt on every reset().
  const restartEnv = { ...options.env };
  delete restartEnv.KEYLESS_ADMIN_PASSWORD;
  const { server: started, prepared } = await startPrepared(options, { dataDir, pristine, restartEnv, start });
  let server = started;
  const { adminPassword } = prepared;
  const facts = server.facts;
  const ca = readFileSync(facts.caPath, "utf8");
  const { Agent, request } = await import("undici");
  const dispatcher = new Agent({ connect: { ca } });
  const httpsAgent = new HttpsAgent({ ca });
  const clientOptions = {
    additionalPolicies: [
      {
        policy: {
          name: "keylessTrustedCa",
          sendRequest: (req: { agent?: HttpsAgent }, next: (r: unknown) => Promise<unknown>) => {
            req.agent = httpsAgent;
            return next(req);
          },
        },
        position: "perCall" as const,
      },
    ],
  } as unknown as KeylessServer["clientOptions"];
  const users: Record<string, string> = { [facts.adminUsername]: adminPassword, ...prepared.users };
  const apps: Record<string, AppSecret> = {};
  for (const change of prepared.seeded) {
    if (change.kind === "secret" && change.secret && change.appId) {
      const displayName = change.name.split("/")[0]!;
      apps[displayName] = { displayName, appId: change.appId, secret: change.secret };
    }
  }
  const identityOptions = { authorityHost: facts.url, disableInstanceDiscovery: true, ...clientOptions };
  const credential = async (principal = facts.adminUsername) => {
    const identity = await import("@azure/identity");
    const app = apps[principal];
    if (app) return new identity.ClientSecretCredential(facts.tenantId, app.appId, app.secret, identityOptions);
    const password = users[principal];
    if (password === undefined)
      throw new Error(`No user or app '${principal}' in this world: ${[...Object.keys(users), ...Object.keys(apps)].join(", ")}`);
    return new identity.UsernamePasswordCredential(facts.tenantId, AZURE_CLI_CLIENT_ID, principal, password, identityOptions);
  };
  const adminToken = async () => {
    const response = await request(`${facts.url}/${facts.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      dispatcher,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "password",
        client_id: AZURE_CLI_CLIENT_ID,
        username: facts.adminUsername,
        password: adminPassword,
        scope: "https://management.core.windows.net//.default",
      }).toString(),
    });
    const body = (await response.body.json()) as { access_token?: string; error_description?: string };
    if (!body.access_token) throw new Error(`The administrator could not sign in: ${body.error_description}`);
    return body.access_token;
  };
  return {
    url: facts.url,
    port: facts.port,
    tenantId: facts.tenantId,
    subscriptionId: facts.subscriptionId,
    demo: facts.demo,
    ca,
    caPath: facts.caPath,
    dispatcher,
    httpsAgent,
    clientOptions,
    admin: { username: facts.adminUsername, password: adminPassword },
    users,
    apps,
    credential,
    async accountKeys(account = facts.demo?.account, resourceGroup = facts.demo?.resourceGroup) {
      if (!account || !resourceGroup) throw new Error("Name the account and its resource group: this server has no demo account.");
      const path = `/subscriptions/${facts.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${account}/listKeys`;
      const response = await request(`${facts.url}${path}?api-version=2023-05-01`, {
        method: "POST",
        dispatcher,
        headers: { authorization: `Bearer ${await adminToken()}` },
      });
      const body = (await response.body.json()) as { key1: string; key2: string };
      if (response.statusCode !== 200) throw new Error(`listKeys answered ${response.statusCode}: ${JSON.stringify(body)}`);
      return body;
    },
    async reset() {
      await server.stop();
      restoreDatabase(pristine, dataDir);
      server = await start(facts.port, restartEnv);
    },
    async stop() {
      await server.stop();
      await dispatcher.close();
      httpsAgent.destroy();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
