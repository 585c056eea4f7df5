/**
 * Token benchmark. (1) Tokens issued per second by the real service for the client-credentials grant, over HTTPS,
 * with a few concurrent clients. (2) Incoming-token validation cost: Keyless's validator on fresh tokens (no cache
 * hit), on a repeated token (cache hit), and jose's jwtVerify alone on the same tokens. Not a timed test.
 *
 * (1b) The same while --flood wrong-secret requests are in flight for the same application. (1c) One secret check
 * in process, scrypt against the keyed hash.
 *
 *   node bench/tokens.ts [--seconds 5] [--concurrency 16] [--flood 200] [--tokens 2000]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { importJWK, type JWK, jwtVerify } from "jose";
import { createSealedBox } from "../src/core/sealed-box.ts";
import { clientSecretHasher } from "../src/directory/client-secrets.ts";
import { hashSecret, verifySecret } from "../src/directory/secret-hash.ts";
import { openDatabase } from "../src/storage/database.ts";
import { createStore } from "../src/storage/store.ts";
import { mintAccessToken } from "../src/tokens/mint.ts";
import { openKeyRing } from "../src/tokens/signing-keys.ts";
import { createTokenValidator } from "../src/tokens/validator.ts";

const ROOT = resolve(import.meta.dirname, "..");
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
};
const SECONDS = arg("seconds", 5);
const CONCURRENCY = arg("concurrency", 16);
const TOKENS = arg("tokens", 2000);
const FLOOD = process.argv.includes("--attack") ? Number(process.argv[process.argv.indexOf("--attack") + 1]) : arg("flood", 200);
const AUDIENCE = "https://cognitiveservices.azure.com";
const ADMIN_PASSWORD = "Bench-Admin-Password-1";
const CLI_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

interface Server {
  url: string;
  tenantId: string;
  pid: number;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), "keyless-bench-tokens-"));
  const child: ChildProcess = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", "src/main.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      KEYLESS_DATA_DIR: dataDir,
      KEYLESS_PORT: "0",
      KEYLESS_LOG_LEVEL: "warn",
      KEYLESS_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    },
  });
  const ready = await new Promise<{ url: string; caPath: string; tenantId: string }>((done, fail) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("KEYLESS_READY ")) done(JSON.parse(line.slice(14)));
    });
    child.once("exit", (code) => fail(new Error(`keyless exited with ${code}`)));
  });
  ca = readFileSync(ready.caPath, "utf8");
  // Each server has its own CA: connections to an earlier one are of no use.
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
  return {
    url: ready.url,
    tenantId: ready.tenantId,
    pid: child.pid!,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((done) => child.once("exit", done));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let ca = "";
const agents = new Map<string, HttpsAgent>();
/** One HTTPS POST from a chosen loopback source address (each 127.x address is a distinct caller to the server). */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  source = "127.0.0.1",
): Promise<{ status: number; json: Record<string, string> }> {
  const agent = agents.get(source) ?? new HttpsAgent({ keepAlive: true, localAddress: source, family: 4, ca, maxSockets: 256 });
  agents.set(source, agent);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(url), { method: "POST", agent, headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, string> }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
const form = (fields: Record<string, string>) =>
  [new URLSearchParams(fields).toString(), { "content-type": "application/x-www-form-urlencoded" }] as const;
const json = (value: object, token: string) =>
  [JSON.stringify(value), { "content-type": "application/json", authorization: `Bearer ${token}` }] as const;

/** Registers an application with a secret and a service principal through Graph, as the bootstrap administrator. */
async function registerApp(server: Server): Promise<{ appId: string; secret: string }> {
  const must = async (path: string, [body, headers]: readonly [string, Record<string, string>]) => {
    const r = await post(`${server.url}${path}`, body, headers);
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const admin = await must(
    `/${server.tenantId}/oauth2/v2.0/token`,
    form({
      grant_type: "password",
      client_id: CLI_CLIENT,
      username: `admin@keyless.local`,
      password: ADMIN_PASSWORD,
      scope: "https://graph.microsoft.com/.default",
    }),
  );
  const app = await must("/graph/v1.0/applications", json({ displayName: "bench" }, admin.access_token!));
  const secret = await must(
    `/graph/v1.0/applications/${app.id}/addPassword`,
    json({ passwordCredential: { displayName: "bench" } }, admin.access_token!),
  );
  await must("/graph/v1.0/servicePrincipals", json({ appId: app.appId! }, admin.access_token!));
  return { appId: app.appId!, secret: secret.secretText! };
}

/** User plus system CPU seconds the server process has used (Linux /proc; 100 ticks per second). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** Legitimate client-credentials requests from 127.0.0.1, `CONCURRENCY` at a time, for `SECONDS`. */
async function issuance(server: Server, app: { appId: string; secret: string }) {
  const [body, headers] = form({
    grant_type: "client_credentials",
    client_id: app.appId,
    client_secret: app.secret,
    scope: `${AUDIENCE}/.default`,
  });
  const url = `${server.url}/${server.tenantId}/oauth2/v2.0/token`;
  const latencies: number[] = [];
  const cpu0 = cpuSeconds(server.pid);
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const r = await post(url, body, headers);
        if (r.status !== 200) throw new Error(`legitimate request refused: ${r.status} ${JSON.stringify(r.json)}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpu = cpuSeconds(server.pid) - cpu0;
  latencies.sort((a, b) => a - b);
  return {
    count: latencies.length,
    perSecond: latencies.length / elapsed,
    perCpuSecond: latencies.length / cpu,
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
  };
}

/**
 * The same legitimate load while FLOOD wrong-secret requests are kept in flight for the same application, each
 * attacker loop on its own loopback source address (127.0.1.x), so the per-source budget alone does not stop them.
 */
async function underFlood(server: Server, app: { appId: string; secret: string }) {
  const [body] = form({
    grant_type: "client_credentials",
    client_id: app.appId,
    client_secret: "wrong-secret-0123456789",
    scope: `${AUDIENCE}/.default`,
  });
  const url = `${server.url}/${server.tenantId}/oauth2/v2.0/token`;
  // The attackers run in their own process, so the legitimate client's latency is the server's, not this process's queue.
  const attacker = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", import.meta.filename, "--attack", String(FLOOD)], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, BENCH_URL: url, BENCH_BODY: body, BENCH_CA: ca },
  });
  await new Promise((done) => setTimeout(done, 1000));
  const legitimate = await issuance(server, app);
  attacker.stdin!.end();
  const sent = Number(await new Promise<string>((done) => attacker.stdout!.once("data", (d) => done(String(d)))));
  return { ...legitimate, wrongPerSecond: sent / (SECONDS + 1) };
}

/** Server-side cost of one secret check, in process: scrypt (before) against the keyed hash (now). */
async function secretCheckCost() {
  const secret = "Abc8Q~0123456789abcdefghijklmnopqrstuvwx";
  const scryptHash = await hashSecret(secret);
  const hasher = clientSecretHasher(createSealedBox(Buffer.alloc(32, 7)).lookupDigest);
  const hmacHash = hasher.hash(secret);
  const time = async (n: number, run: () => Promise<unknown>) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await run();
    return ((performance.now() - t0) * 1000) / n;
  };
  const scrypt = await time(20, () => verifySecret("wrong", scryptHash));
  const hmac = await time(20_000, () => hasher.verify("wrong", [hmacHash]));
  return { scrypt, hmac };
}

async function validation() {
  const store = createStore(await openDatabase("sqlite::memory:"));
  const keys = await openKeyRing(store.keys, createSealedBox(Buffer.alloc(32, 1)));
  const clock = { now: () => Date.now() };
  const tenantId = "11111111-1111-4111-8111-111111111111";
  const tokens = await Promise.all(
    Array.from({ length: TOKENS }, () =>
      mintAccessToken(keys, clock, {
        issuer: `https://localhost:8443/${tenantId}/`,
        tenantId,
        audience: AUDIENCE,
        scopes: [],
        lifetimeSeconds: 3600,
        subject: { kind: "app", objectId: crypto.randomUUID(), appId: crypto.randomUUID(), displayName: "b", credential: "secret" },
      }).then((m) => m.token),
    ),
  );
  const publicKey = await importJWK(keys.jwks().keys[0] as JWK, "RS256");
  const time = async (run: (token: string, i: number) => Promise<unknown>) => {
    const t0 = performance.now();
    for (let i = 0; i < tokens.length; i++) await run(tokens[i]!, i);
    return ((performance.now() - t0) * 1000) / tokens.length;
  };
  await time((t) => jwtVerify(t, publicKey, { algorithms: ["RS256"] })); // warm-up
  const jose = await time((t) => jwtVerify(t, publicKey, { algorithms: ["RS256"], audience: AUDIENCE }));
  const cold = await time((t) => createTokenValidator(keys, clock).validate(t, [AUDIENCE]));
  const validator = createTokenValidator(keys, clock);
  await validator.validate(tokens[0]!, [AUDIENCE]);
  const cached = await time(() => validator.validate(tokens[0]!, [AUDIENCE]));
  const filled = createTokenValidator(keys, clock);
  for (const t of tokens) await filled.validate(t, [AUDIENCE]);
  const cachedMany = await time((t) => filled.validate(t, [AUDIENCE]));
  await store.database.close();
  return { jose, cold, cached, cachedMany };
}

/** Attacker mode (a child of the bench): FLOOD loops of wrong secrets, one loopback source each, until stdin closes. */
async function attack(): Promise<never> {
  ca = process.env.BENCH_CA!;
  let stop = false;
  let sent = 0;
  process.stdin.resume();
  process.stdin.once("end", () => {
    stop = true;
  });
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  await Promise.all(
    Array.from({ length: FLOOD }, async (_, i) => {
      const source = `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
      while (!stop) {
        await post(process.env.BENCH_URL!, process.env.BENCH_BODY!, headers, source);
        sent++;
      }
    }),
  );
  process.stdout.write(String(sent));
  process.exit(0);
}
if (process.argv.includes("--attack")) await attack();

const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim()}), Node ${process.version}`;
const server = await startServer();
const app = await registerApp(server);
const issued = await issuance(server, app);
const flooded = await underFlood(server, app);
await server.stop();
// The same flood with both throttles out of reach: what the keyed hash alone does for the legitimate caller.
const open = await startServer({ KEYLESS_CLIENT_AUTH_FAILURES_PER_SOURCE: "1000000", KEYLESS_CLIENT_AUTH_FAILURES_PER_CLIENT: "1000000" });
const openApp = await registerApp(open);
const floodedOpen = await underFlood(open, openApp);
await open.stop();
for (const agent of agents.values()) agent.destroy();
const check = await secretCheckCost();
const validated = await validation();
const f = (n: number) => n.toFixed(1);
process.stdout.write(`machine: ${machine}
| client-credentials issuance (HTTPS, ${CONCURRENCY} concurrent legitimate clients, ${SECONDS} s) | tokens/s | tokens per server CPU-second | p50 ms | p99 ms | wrong secrets/s |
| --- | --- | --- | --- | --- | --- |
| alone | ${f(issued.perSecond)} | ${f(issued.perCpuSecond)} | ${f(issued.p50)} | ${f(issued.p99)} | – |
| ${FLOOD} wrong-secret requests in flight, default throttles | ${f(flooded.perSecond)} | ${f(flooded.perCpuSecond)} | ${f(flooded.p50)} | ${f(flooded.p99)} | ${f(flooded.wrongPerSecond)} |
| ${FLOOD} wrong-secret requests in flight, throttles off | ${f(floodedOpen.perSecond)} | ${f(floodedOpen.perCpuSecond)} | ${f(floodedOpen.p50)} | ${f(floodedOpen.p99)} | ${f(floodedOpen.wrongPerSecond)} |

| one client-secret check (wrong secret, in process) | µs | ratio |
| --- | --- | --- |
| scrypt N=16384 (before) | ${f(check.scrypt)} | ${f(check.scrypt / check.hmac)}× |
| HMAC-SHA-256, constant-time compare (now) | ${f(check.hmac)} | 1× |

| validation of one RS256 token (${TOKENS} tokens) | µs per token |
| --- | --- |
| jose jwtVerify alone | ${f(validated.jose)} |
| Keyless validator, fresh token (verify + claims checks) | ${f(validated.cold)} |
| Keyless validator, cache hit (same token repeated) | ${f(validated.cached)} |
| Keyless validator, cache hits across ${TOKENS} distinct tokens | ${f(validated.cachedMany)} |
`);
