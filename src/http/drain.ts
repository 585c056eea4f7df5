import type { FastifyInstance } from "fastify";

/**
 * A node's graceful shutdown (a rolling restart): once `begin()` is called the node reports not-ready, stops
 * accepting connections, answers what is in flight with `Connection: close`, and waits for it to finish; when the
 * grace period is over, `cut` aborts and the streams still open end with an SSE error event.
 */
export interface Drain {
  /** True from the first signal on: `/readyz` answers 503. */
  readonly draining: boolean;
  /** Aborted when the grace period is over: open streams end with an error event. */
  readonly cut: AbortSignal;
  /** The grace period of the shutdown under way, in seconds (for the streams' error message). */
  readonly graceSeconds: number;
}

export interface DrainControl extends Drain {
  /** Counts requests in flight and closes connections while draining; call once, before the app listens. */
  attach(app: FastifyInstance): void;
  /**
   * Stops accepting, then resolves once no request is in flight or `graceMs` has passed, whichever is first; at
   * the grace, cuts the open streams and gives them `cutFlushMs` to send their error event.
   */
  begin(app: FastifyInstance, graceMs: number): Promise<{ cutRequests: number }>;
}

export function createDrain(options: { cutFlushMs?: number } = {}): DrainControl {
  const cutFlushMs = options.cutFlushMs ?? 1000;
  const cutter = new AbortController();
  let draining = false;
  let graceSeconds = 0;
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const settled = () => {
    if (inFlight === 0) idle?.();
  };
  return {
    get draining() {
      return draining;
    },
    cut: cutter.signal,
    get graceSeconds() {
      return graceSeconds;
    },
    attach(app) {
      app.addHook("onRequest", async (_request, reply) => {
        inFlight++;
        let counted = true;
        reply.raw.once("close", () => {
          if (!counted) return;
          counted = false;
          inFlight--;
          settled();
        });
        if (draining) reply.header("connection", "close");
      });
      // A request that began before the signal and answers after it closes its connection too. So does any 503
      // (a node that cannot decide without its store, a busy backend): behind a TCP load balancer a keep-alive
      // connection stays with its node, so the client's next attempt should come through a new one.
      app.addHook("onSend", async (_request, reply) => {
        if (draining || reply.statusCode === 503) reply.header("connection", "close");
      });
    },
    async begin(app, graceMs) {
      draining = true;
      graceSeconds = Math.round(graceMs / 1000);
      const server = app.server;
      // No new connections; idle keep-alive connections are closed now, busy ones after their response.
      server.close();
      server.closeIdleConnections();
      const reaper = setInterval(() => server.closeIdleConnections(), 100);
      try {
        const finished = new Promise<void>((resolve) => {
          idle = resolve;
          settled();
        });
        let timer: NodeJS.Timeout | undefined;
        const graceOver = new Promise<"grace">((resolve) => {
          timer = setTimeout(() => resolve("grace"), graceMs);
        });
        const outcome = await Promise.race([finished.then(() => "finished" as const), graceOver]);
        clearTimeout(timer);
        if (outcome === "finished") return { cutRequests: 0 };
        const cutRequests = inFlight;
        cutter.abort();
        let flushTimer: NodeJS.Timeout | undefined;
        await Promise.race([finished, new Promise<void>((resolve) => (flushTimer = setTimeout(resolve, cutFlushMs)))]);
        clearTimeout(flushTimer);
        return { cutRequests };
      } finally {
        clearInterval(reaper);
      }
    },
  };
}
