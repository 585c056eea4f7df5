import type { Dispatcher } from "undici";
import { WireError, withCause, withHeaders } from "../../../core/errors.ts";
import { dataPlaneError } from "../../data-plane-errors.ts";
import { lazyPool } from "../../lazy-undici.ts";
import { connectionSlots } from "./connection-slots.ts";

export interface UpstreamOptions {
  /** e.g. `http://127.0.0.1:11434/v1` (Ollama) or `http://vllm:8000/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  /** Headers that prove who calls, per request (a cached Entra token); `rejected` after a 401 asks for a new one. */
  auth?: UpstreamAuth | undefined;
  timeouts: { connectMs: number; firstByteMs: number; totalMs: number; poolWaitMs: number };
  maxConnections: number;
}

export interface UpstreamAuth {
  headers(request?: { rejected?: Record<string, string> }): Promise<Record<string, string>>;
}

/** Failures that happen before any byte of the request left: safe to retry on another connection. */
const NOTHING_SENT = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);
const RETRY_DELAYS_MS = [25, 100];
/** undici's timeouts (its error classes' codes: undici itself loads on the first call, see lazy-undici.ts). */
const UNDICI_TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/** A keep-alive connection pool to one OpenAI-compatible server, with the timeouts and retry rule of the adapter. */
export function upstreamClient(options: UpstreamOptions) {
  const url = new URL(options.baseUrl.replace(/\/+$/, ""));
  const pool = lazyPool(url.origin, {
    connections: options.maxConnections,
    keepAliveTimeout: 30_000,
    connectTimeout: options.timeouts.connectMs,
    headersTimeout: options.timeouts.firstByteMs,
    bodyTimeout: options.timeouts.firstByteMs,
  });
  const slots = connectionSlots(options.maxConnections);
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  /**
   * POSTs JSON; resolves once the upstream answered 2xx headers, else throws the catalog error for its failure. The
   * call holds one connection slot until the response body closes (read to the end, or destroyed).
   */
  async function post(path: string, body: unknown, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    const release = await slots.acquire(options.timeouts.poolWaitMs, signal);
    try {
      const response = await send(path, body, signal);
      response.body.once("close", release);
      if (response.body.destroyed) release();
      return response;
    } catch (err) {
      release();
      throw err;
    }
  }

  async function send(path: string, body: unknown, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    const total = AbortSignal.any([signal, AbortSignal.timeout(options.timeouts.totalMs)]);
    const payload = JSON.stringify(body);
    let proof = await options.auth?.headers();
    let reauthorized = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await pool.request({
          origin: url.origin,
          path: `${url.pathname}${path}`,
          method: "POST",
          headers: proof ? { ...headers, ...proof } : headers,
          body: payload,
          signal: total,
        });
        if (response.statusCode >= 200 && response.statusCode < 300) return response;
        // A token the upstream no longer takes (revoked, rotated keys): one new token, one more try.
        if (response.statusCode === 401 && options.auth && proof && !reauthorized) {
          await response.body.dump();
          reauthorized = true;
          proof = await options.auth.headers({ rejected: proof });
          attempt--;
          continue;
        }
        throw await statusError(response, options.auth !== undefined);
      } catch (err) {
        if (signal.aborted) throw err;
        const code = (err as { code?: string }).code ?? "";
        const delay = RETRY_DELAYS_MS[attempt];
        if (NOTHING_SENT.has(code) && delay !== undefined) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        throw translate(err);
      }
    }
  }

  return { post, busy: slots.busy, close: () => pool.close() };
}

/** Maps a transport failure onto the data-plane catalog; catalog errors pass through. */
export function translate(err: unknown): Error {
  if (err instanceof WireError) return err;
  const code = (err as { code?: string; name?: string }).code;
  const name = (err as { name?: string }).name;
  if (name === "TimeoutError" || (code !== undefined && UNDICI_TIMEOUTS.has(code))) {
    return withCause(dataPlaneError("BackendTimeout"), err);
  }
  return withCause(dataPlaneError("BackendUnavailable"), err);
}

async function statusError(response: Dispatcher.ResponseData, keyless: boolean): Promise<Error> {
  const text = await response.body.text().catch(() => "");
  const status = response.statusCode;
  if (status === 429) {
    const seconds = Math.max(1, Math.ceil(Number(response.headers["retry-after"] ?? 1)) || 1);
    return withHeaders(dataPlaneError("RateLimitExceeded", seconds), {
      "retry-after": String(seconds),
      "retry-after-ms": String(seconds * 1000),
    });
  }
  if (keyless && (status === 401 || status === 403)) {
    // The upstream refused Keyless itself, not the caller: say so, with the upstream's code (its message, which
    // names the upstream principal and resource, goes to the log only).
    return withCause(
      dataPlaneError("BackendAuthorizationFailed", status, upstreamCode(text) ?? "Unauthorized"),
      new Error(`upstream answered ${status}: ${text.slice(0, 500)}`),
    );
  }
  if (status >= 400 && status < 500 && status !== 401 && status !== 403)
    return dataPlaneError("BackendRejected", status, upstreamMessage(text));
  return withCause(dataPlaneError("BackendUnavailable"), new Error(`upstream answered ${status}: ${text.slice(0, 500)}`));
}

function upstreamCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function upstreamMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message ?? body.detail);
    if (typeof message === "string") return message.slice(0, 1000);
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 1000);
}
