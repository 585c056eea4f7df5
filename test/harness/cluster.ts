import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POSTGRES_URL, testSchema } from "./databases.ts";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";
import { type KeylessProcess, type ReadyFacts, startKeyless } from "./keyless-process.ts";

export const HAPROXY = "/usr/sbin/haproxy";
/** Debian's `haproxy` package (`.ci/run` installs it). */
export const haproxyInstalled = existsSync(HAPROXY);

/** One backend line of the load balancer. */
export interface HaproxyServer {
  name: string;
  address: string;
}

export interface HaproxyOptions {
  /** Where clients connect: `address:port`. */
  bind: string;
  servers: HaproxyServer[];
  /** The CA that signed the nodes' certificate: health checks verify it. */
  caFile: string;
  /** The admin socket (`show servers state`, `disable server`), for operators and the tests. */
  statsSocket: string;
}

/**
 * The load balancer in front of N nodes, as docs/operations.md shows it (a unit test keeps the two identical).
 * TCP mode (TLS passes through: clients see the nodes' own certificate, so every node serves the same certificate
 * and key, naming the address clients use); HTTPS health checks on `/readyz`, so a node that is shutting down, or
 * has lost its store, leaves the rotation; a connection a dead node refuses is sent to another (`redispatch`).
 */
export function haproxyConfig(options: HaproxyOptions): string {
  return [
    "global",
    `    stats socket ${options.statsSocket} mode 600 level admin`,
    "",
    "defaults",
    "    mode tcp",
    "    timeout connect 2s",
    "    # Streams (SSE) last as long as the model generates: keep idle timeouts above the longest one.",
    "    timeout client 10m",
    "    timeout server 10m",
    "    timeout check 2s",
    "    retries 2",
    "    option redispatch",
    "",
    "frontend keyless",
    `    bind ${options.bind}`,
    "    default_backend keyless_nodes",
    "",
    "backend keyless_nodes",
    "    balance leastconn",
    "    option httpchk",
    "    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host localhost",
    "    http-check expect status 200",
    `    default-server check check-ssl verify required ca-file ${options.caFile} inter 1s fall 2 rise 2`,
    ...options.servers.map((s) => `    server ${s.name} ${s.address}`),
    "",
  ].join("\n");
}

/** A running HAProxy: its port, the state of each backend as it sees it, and stop. */
export interface LoadBalancer {
  port: number;
  config: string;
  /** Each server's operational state: "up" or "down" (anything not running). */
  serverStates(): Promise<Record<string, "up" | "down">>;
  /** Resolves once HAProxy reports these states (others are not looked at); fails after `timeoutMs`. */
  waitFor(states: Record<string, "up" | "down">, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startHaproxy(servers: HaproxyServer[], caFile: string, port: number): Promise<LoadBalancer> {
  const dir = mkdtempSync(join(tmpdir(), "keyless-haproxy-"));
  const statsSocket = join(dir, "admin.sock");
  const config = haproxyConfig({ bind: `127.0.0.1:${port}`, servers, caFile, statsSocket });
  const configFile = join(dir, "haproxy.cfg");
  writeFileSync(configFile, config);
  let output = "";
  const child: ChildProcess = spawn(HAPROXY, ["-db", "-f", configFile], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const admin = (command: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = createConnection(statsSocket);
      let answer = "";
      socket.on("data", (d) => (answer += d));
      socket.on("end", () => resolve(answer));
      socket.on("error", reject);
      socket.write(`${command}\n`);
    });
  const serverStates = async () => {
    // `show servers state`: one line per server; field 6 is srv_op_state (2 = running).
    const text = await admin("show servers state keyless_nodes");
    const states: Record<string, "up" | "down"> = {};
    for (const line of text.split("\n")) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 6 || !/^\d+$/.test(fields[0]!)) continue;
      states[fields[3]!] = fields[5] === "2" ? "up" : "down";
    }
    return states;
  };
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!existsSync(statsSocket)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not start:\n${output}`);
    }
    await sleep(50);
  }
  return {
    port,
    config,
    serverStates,
    async waitFor(wanted, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      let seen: Record<string, string> = {};
      while (Date.now() < until) {
        seen = await serverStates().catch(() => ({}));
        if (Object.entries(wanted).every(([name, state]) => seen[name] === state)) return;
        await sleep(200);
      }
      throw new Error(`haproxy did not report ${JSON.stringify(wanted)} within ${timeoutMs} ms: ${JSON.stringify(seen)}\n${output}`);
    },
    stop,
  };
}

/** One Keyless node of the cluster: its process (while running), its own link to PostgreSQL, and its data dir. */
export interface ClusterNode {
  name: string;
  /** The node's own address (not through the load balancer); stable across restarts. */
  facts: ReadyFacts;
  /** The fault proxy between this node and PostgreSQL. */
  database: FaultProxy;
  process: KeylessProcess | undefined;
  /** `kill -9`: no shutdown of any kind. */
  kill(): Promise<void>;
  /** Starts the node again on its port, data dir and settings (after `kill` or `stop`). */
  start(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
}

export interface Cluster {
  /** Facts for clients of the load balancer: `url` is its address (the nodes' `publicUrl`). */
  facts: ReadyFacts;
  nodes: ClusterNode[];
  lb: LoadBalancer;
  /** The settings every node shares (as `KEYLESS_…` variables), for docs and assertions. */
  sharedEnv: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * N Keyless nodes as child processes on one PostgreSQL schema and one Redis, each with its own data dir and its own
 * PostgreSQL link through a fault proxy, behind HAProxy. The nodes share what docs/operations.md lists: the store,
 * the master key (it seals the signing keys and account keys every node reads), the TLS certificate and key, the
 * public URL (the balancer's address), the administrator and the rate-limit store.
 */
export async function startCluster(options: { nodes?: number; env?: Record<string, string> } = {}): Promise<Cluster> {
  const count = options.nodes ?? 3;
  const caFile = process.env.KEYLESS_TEST_CA;
  if (!caFile || !process.env.KEYLESS_TEST_TLS_CERT)
    throw new Error("run through scripts/run-tests.ts: the cluster needs the suite's certificate");
  const postgres = new URL(POSTGRES_URL);
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const lbPort = await freePort();
  const publicUrl = `https://localhost:${lbPort}`;
  const sharedEnv: Record<string, string> = {
    KEYLESS_STORAGE_SCHEMA: testSchema("cluster"),
    KEYLESS_MASTER_KEY: randomBytes(32).toString("base64"),
    KEYLESS_PUBLIC_URL: publicUrl,
    KEYLESS_RATE_LIMIT_STORE: "redis://127.0.0.1:6379",
    ...options.env,
  };
  const nodes: ClusterNode[] = [];
  const dataDirs: string[] = [];
  for (const [i, port] of ports.entries()) {
    const database = await startFaultProxy({ target: { host: postgres.hostname, port: Number(postgres.port || 5432) } });
    const storage = new URL(POSTGRES_URL);
    storage.hostname = "127.0.0.1";
    storage.port = String(database.port);
    const env = { ...sharedEnv, KEYLESS_STORAGE: storage.toString(), KEYLESS_PORT: String(port) };
    const dataDir = mkdtempSync(join(tmpdir(), `keyless-node${i + 1}-`));
    dataDirs.push(dataDir);
    const node: ClusterNode = {
      name: `node${i + 1}`,
      facts: undefined as unknown as ReadyFacts,
      database,
      process: undefined,
      async kill() {
        const running = node.process;
        if (!running) return;
        node.process = undefined;
        process.kill(running.pid, "SIGKILL");
        await running.exited;
      },
      async start() {
        node.process = await startKeyless({ dataDir, env });
        node.facts = node.process.facts;
      },
      async stop() {
        const running = node.process;
        node.process = undefined;
        await running?.stop();
      },
    };
    nodes.push(node);
  }
  let lb: LoadBalancer | undefined;
  const stop = async () => {
    await lb?.stop();
    await Promise.all(nodes.map((n) => n.stop()));
    for (const n of nodes) await n.database.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The first node creates the schema, the tenant and the signing keys; the others find them.
    await nodes[0]!.start();
    await Promise.all(nodes.slice(1).map((n) => n.start()));
    // HAProxy counts a server up until its checks fail: start it once every node answers /readyz 200.
    await Promise.all(nodes.map((n) => untilReady(n.facts.url)));
    lb = await startHaproxy(
      nodes.map((n) => ({ name: n.name, address: `127.0.0.1:${n.facts.port}` })),
      caFile,
      lbPort,
    );
    await lb.waitFor(Object.fromEntries(nodes.map((n) => [n.name, "up" as const])));
  } catch (err) {
    await stop();
    throw err;
  }
  const first = nodes[0]!.facts;
  const facts: ReadyFacts = {
    ...first,
    url: publicUrl,
    port: lbPort,
    demo: first.demo && { ...first.demo, endpoint: `${publicUrl}/accounts/${first.demo.account}/models` },
  };
  return { facts, nodes, lb, sharedEnv, stop };
}

async function untilReady(url: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error(`${url}/readyz did not answer 200 within 30 s`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
