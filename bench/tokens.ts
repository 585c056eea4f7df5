/**
 * Token benchmark. (1) Tokens issued per second by the real service for the client-credentials grant, over HTTPS,
 * with a few concurrent clients. (2) Incoming-token validation cost: Keyless's validator on fresh tokens (no cache
 * hit), on a repeated token (cache hit), and jose's jwtVerify alone on the same tokens. Not a timed test.
 *
 *   node bench/tokens.ts [--seconds 5] [--concurrency 4] [--tokens 2000]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { importJWK, type JWK, jwtVerify } from "jose";
import { Agent, fetch as undiciFetch } from "undici";
import { createSealedBox } from "../src/core/sealed-box.ts";
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
const CONCURRENCY = arg("concurrency", 4);
const TOKENS = arg("tokens", 2000);
const AUDIENCE = "https://cognitiveservices.azure.com";
const ADMIN_PASSWORD = "Bench-Admin-Password-1";
const CLI_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

async function issuance(): Promise<{ perSecond: number; p50: number; p95: number; count: number }> {
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
    },
  });
  try {
    const ready = await new Promise<{ url: string; caPath: string; tenantId: string; adminUsername: string }>((done, fail) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        if (line.startsWith("KEYLESS_READY ")) done(JSON.parse(line.slice(14)));
      });
      child.once("exit", (code) => fail(new Error(`keyless exited with ${code}`)));
    });
    const dispatcher = new Agent({ connect: { ca: readFileSync(ready.caPath, "utf8") }, connections: CONCURRENCY * 2 });
    const post = async (path: string, body: URLSearchParams | object, token?: string) => {
      const json = !(body instanceof URLSearchParams);
      const response = await undiciFetch(`${ready.url}${path}`, {
        method: "POST",
        dispatcher,
        body: json ? JSON.stringify(body) : body,
        headers: { ...(json ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
      const parsed = (await response.json()) as Record<string, string>;
      if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed)}`);
      return parsed;
    };
    const admin = await post(
      `/${ready.tenantId}/oauth2/v2.0/token`,
      new URLSearchParams({
        grant_type: "password",
        client_id: CLI_CLIENT,
        username: ready.adminUsername,
        password: ADMIN_PASSWORD,
        scope: "https://graph.microsoft.com/.default",
      }),
    );
    const app = await post("/graph/v1.0/applications", { displayName: "bench" }, admin.access_token);
    const secret = await post(
      `/graph/v1.0/applications/${app.id}/addPassword`,
      { passwordCredential: { displayName: "bench" } },
      admin.access_token,
    );
    await post("/graph/v1.0/servicePrincipals", { appId: app.appId }, admin.access_token);
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: app.appId!,
      client_secret: secret.secretText!,
      scope: `${AUDIENCE}/.default`,
    });
    const latencies: number[] = [];
    const end = performance.now() + SECONDS * 1000;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          await post(`/${ready.tenantId}/oauth2/v2.0/token`, form);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    await dispatcher.close();
    return {
      perSecond: latencies.length / elapsed,
      p50: latencies[Math.floor(latencies.length / 2)]!,
      p95: latencies[Math.floor(latencies.length * 0.95)]!,
      count: latencies.length,
    };
  } finally {
    child.kill("SIGTERM");
    await new Promise((done) => child.once("exit", done));
    rmSync(dataDir, { recursive: true, force: true });
  }
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

const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim()}), Node ${process.version}`;
const issued = await issuance();
const validated = await validation();
const f = (n: number) => n.toFixed(1);
process.stdout.write(`machine: ${machine}
| client-credentials issuance (HTTPS, ${CONCURRENCY} concurrent clients, ${SECONDS} s) | value |
| --- | --- |
| tokens issued | ${issued.count} |
| tokens per second | ${f(issued.perSecond)} |
| latency p50 / p95 ms | ${f(issued.p50)} / ${f(issued.p95)} |

| validation of one RS256 token (${TOKENS} tokens) | µs per token |
| --- | --- |
| jose jwtVerify alone | ${f(validated.jose)} |
| Keyless validator, fresh token (verify + claims checks) | ${f(validated.cold)} |
| Keyless validator, cache hit (same token repeated) | ${f(validated.cached)} |
| Keyless validator, cache hits across ${TOKENS} distinct tokens | ${f(validated.cachedMany)} |
`);
