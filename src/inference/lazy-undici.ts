import type { Dispatcher, Pool } from "undici";

/**
 * undici, the HTTP client of upstream models, external moderation and backend credentials, loads on the first call
 * that needs it rather than at start-up: with Node's own copy of undici, which importing it pulls in, it is about
 * 6 MB of heap and 17–30 MB of a node's resident size (docs/benchmarks.md, "Node memory"), and a node that serves
 * only built-in models never calls out.
 */
let loading: Promise<typeof import("undici")> | undefined;

export function loadUndici(): Promise<typeof import("undici")> {
  loading ??= import("undici");
  return loading;
}

/** An undici `Pool` created on its first request; what it answers and throws is the pool's own. */
interface LazyPool {
  request(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  close(): Promise<void>;
}

export function lazyPool(origin: string, options: Pool.Options): LazyPool {
  let pool: Pool | undefined;
  let closed = false;
  return {
    async request(requestOptions) {
      const undici = await loadUndici();
      if (closed) throw new undici.errors.ClientClosedError();
      pool ??= new undici.Pool(origin, options);
      return pool.request(requestOptions);
    },
    async close() {
      closed = true;
      await pool?.close();
    },
  };
}
