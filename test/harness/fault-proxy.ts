import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy a test puts between a node and something it depends on (PostgreSQL, Redis) to break the link on
 * purpose: `cut()` destroys every live connection and black-holes new ones (accepted, never forwarded, never
 * answered: what a dead network path looks like to a client, until its own timeouts fire); `restore()` forwards
 * again; `delay(ms)` holds every chunk, in either direction, for `ms` before passing it on (in order);
 * `holdWhere(pattern, ms)` holds only the client's chunks that match, such as one PostgreSQL statement.
 */
export interface FaultProxy {
  /** The loopback port clients connect to instead of the target's. */
  port: number;
  cut(): void;
  restore(): void;
  /** Holds bytes in both directions for `ms` (0 turns the delay off). */
  delay(ms: number): void;
  /**
   * Holds each chunk the client sends whose bytes (read as latin1) match `pattern` for `ms`, and what that client
   * sends after it, in order; `holdWhere(undefined)` stops.
   */
  holdWhere(pattern: RegExp | undefined, ms?: number): void;
  /** How many chunks `holdWhere` has held since it was last set. */
  readonly held: number;
  /** Connections currently forwarded (for tests of the proxy itself). */
  readonly liveConnections: number;
  close(): Promise<void>;
}

/** A PostgreSQL COMMIT as a client sends it: a simple-query message (`Q`, a 4-byte length, `commit`, NUL). */
export const POSTGRES_COMMIT = new RegExp(String.raw`Q[\s\S]{4}commit\x00`, "i");

export async function startFaultProxy(options: { target: { host: string; port: number } }): Promise<FaultProxy> {
  const { target } = options;
  let isCut = false;
  let delayMs = 0;
  let hold: { pattern: RegExp; ms: number } | undefined;
  let held = 0;
  const live = new Set<Socket>();
  const pairs = new Set<Socket[]>();
  const blackholed = new Set<Socket>();

  /** How long to hold a chunk that arrived now: the delay, or the hold when a client's chunk matches. */
  const holdFor = (chunk: Buffer, fromClient: boolean) => {
    if (!fromClient || hold === undefined || !hold.pattern.test(chunk.toString("latin1"))) return delayMs;
    held++;
    return Math.max(delayMs, hold.ms);
  };

  /** Forwards `from` → `to`, each chunk after the delay in force when it arrived, keeping the order. */
  const pipe = (from: Socket, to: Socket, fromClient: boolean) => {
    let queue = Promise.resolve();
    from.on("data", (chunk: Buffer) => {
      const holdMs = holdFor(chunk, fromClient);
      if (holdMs === 0) {
        queue = queue.then(() => {
          if (!to.destroyed) to.write(chunk);
        });
        return;
      }
      from.pause();
      queue = queue
        .then(() => new Promise<void>((r) => setTimeout(r, holdMs)))
        .then(() => {
          if (!to.destroyed) to.write(chunk);
          from.resume();
        });
    });
    from.on("end", () => {
      queue = queue.then(() => {
        if (!to.destroyed) to.end();
      });
    });
  };

  const server: Server = createServer((client) => {
    client.on("error", () => undefined);
    if (isCut) {
      // Black-holed: held open, never forwarded, never answered.
      blackholed.add(client);
      client.on("close", () => blackholed.delete(client));
      client.on("data", () => undefined);
      return;
    }
    const upstream = createConnection(target);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    const pair = [client, upstream];
    pairs.add(pair);
    for (const s of pair) {
      live.add(s);
      s.on("close", () => {
        live.delete(s);
        pairs.delete(pair);
        for (const other of pair) if (!other.destroyed) other.destroy();
      });
    }
    pipe(client, upstream, true);
    pipe(upstream, client, false);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the fault proxy has no TCP port");

  return {
    port: address.port,
    cut() {
      isCut = true;
      for (const s of live) s.destroy();
      live.clear();
    },
    restore() {
      isCut = false;
      for (const s of blackholed) s.destroy();
      blackholed.clear();
    },
    delay(ms: number) {
      delayMs = Math.max(0, ms);
    },
    holdWhere(pattern: RegExp | undefined, ms = 0) {
      hold = pattern === undefined ? undefined : { pattern, ms };
      held = 0;
    },
    get held() {
      return held;
    },
    get liveConnections() {
      return pairs.size;
    },
    close() {
      for (const s of [...live, ...blackholed]) s.destroy();
      live.clear();
      blackholed.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
