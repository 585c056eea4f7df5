import type { FastifyReply } from "fastify";
import { WireError } from "../core/errors.ts";
import type { Drain } from "./drain.ts";
import { dataPlaneError } from "../inference/data-plane-errors.ts";
import type { Usage } from "../inference/chat-types.ts";

/**
 * Writes a chat stream as SSE. The first chunk is awaited before any header goes out, so a backend that fails
 * before its first byte still gets an ordinary JSON error (502/504/429). After that, chunks pass through one by
 * one, waiting for `drain` (backpressure); a failure mid-stream becomes one `data: {"error":…}` event (the openai
 * SDK raises it as an APIError) and the stream ends without `[DONE]`. A client that has not drained what was
 * written within `drainTimeoutMs` is cut off, so a caller that stops reading cannot hold the backend's connection.
 */
export async function streamChat(
  reply: FastifyReply,
  chunks: AsyncIterable<string>,
  onUsage: (usage: Usage) => void,
  onFailure: (err: unknown) => void,
  options: { forwardUsage: boolean; drainTimeoutMs: number; shutdown?: Drain },
): Promise<FastifyReply> {
  const iterator = chunks[Symbol.asyncIterator]();
  const shutdown = options.shutdown;
  const first = await iterator.next();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...headersOf(reply),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  // A node that shuts down waits for its streams through the grace period, then cuts the ones still open.
  const cut = shutdown ? whenAborted(shutdown.cut) : undefined;
  try {
    for (let item = first; !item.done; item = await nextOrCut(iterator, cut?.promise)) {
      if (res.destroyed) break;
      if (noteUsage(item.value, onUsage) === "usage-only" && !options.forwardUsage) continue;
      if (!res.write(`data: ${item.value}\n\n`)) await drained(res, options.drainTimeoutMs);
    }
    if (!res.destroyed) res.end("data: [DONE]\n\n");
  } catch (err) {
    if (err === SHUT_DOWN && shutdown) {
      const wire = dataPlaneError("ServiceShuttingDown", shutdown.graceSeconds);
      if (!res.destroyed) res.end(`data: ${JSON.stringify({ error: { code: wire.code, message: wire.message } })}\n\n`);
      // The backend's generator may be waiting for its next chunk: release it without waiting for that.
      iterator.return?.()?.catch(() => undefined);
      return reply;
    }
    if (res.destroyed) return reply;
    onFailure(err);
    const wire = err instanceof WireError ? err : dataPlaneError("BackendUnavailable");
    res.end(`data: ${JSON.stringify({ error: { code: wire.code, message: wire.message } })}\n\n`);
  } finally {
    cut?.dispose();
    if (res.destroyed) await iterator.return?.();
  }
  return reply;
}

const SHUT_DOWN = Symbol("shut down");

/** A promise that rejects with SHUT_DOWN once the signal aborts; `dispose` removes its listener (the stream ended). */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let listener = () => {};
  const promise = new Promise<never>((_resolve, reject) => {
    listener = () => reject(SHUT_DOWN);
    if (signal.aborted) listener();
    else signal.addEventListener("abort", listener, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener("abort", listener) };
}

/** The next chunk, unless the stream is cut first. */
function nextOrCut<T>(iterator: AsyncIterator<T>, cut: Promise<never> | undefined): Promise<IteratorResult<T>> {
  return cut ? Promise.race([iterator.next(), cut]) : iterator.next();
}

/** Resolves when the client has read what was written, or gone; destroys the response when it has not in time. */
function drained(res: FastifyReply["raw"], timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => res.destroy(), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

/**
 * The usage chunk (`stream_options.include_usage`) is the only one that carries a usage object; "usage-only" when
 * it carries nothing else (no choices), so it can be held back from a caller that did not ask for it.
 */
function noteUsage(data: string, onUsage: (usage: Usage) => void): "usage-only" | "usage" | undefined {
  if (!data.includes('"usage":{')) return undefined;
  try {
    const chunk = JSON.parse(data) as { usage?: Usage; choices?: unknown[] };
    if (!chunk.usage) return undefined;
    onUsage(chunk.usage);
    return Array.isArray(chunk.choices) && chunk.choices.length === 0 ? "usage-only" : "usage";
  } catch {
    return undefined; // a chunk that is not JSON is passed through as it is
  }
}

function headersOf(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = String(value);
  headers["x-ms-request-id"] = String(reply.request.id);
  return headers;
}

/**
 * Writes named SSE events (`event: <type>` + `data: <json>`), the Responses API's stream: no `[DONE]`, the last
 * event says how it ended. As for chat, the first event is awaited before any header goes out (a failure before
 * it is an ordinary JSON error), writes wait for `drain`, a client that stops reading is cut off, and a node that
 * shuts down ends the streams still open at its grace with an `error` event (`ServiceShuttingDown`).
 */
export async function writeEventStream(
  reply: FastifyReply,
  events: AsyncIterable<{ type: string; sequence_number: number }>,
  options: { drainTimeoutMs: number; shutdown?: Drain | undefined },
): Promise<FastifyReply> {
  const iterator = events[Symbol.asyncIterator]();
  const shutdown = options.shutdown;
  const first = await iterator.next();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...headersOf(reply),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const cut = shutdown ? whenAborted(shutdown.cut) : undefined;
  let sequence = 0;
  try {
    for (let item = first; !item.done; item = await nextOrCut(iterator, cut?.promise)) {
      if (res.destroyed) break;
      sequence = item.value.sequence_number;
      if (!res.write(`event: ${item.value.type}\ndata: ${JSON.stringify(item.value)}\n\n`)) await drained(res, options.drainTimeoutMs);
    }
    if (!res.destroyed) res.end();
  } catch (err) {
    if (err !== SHUT_DOWN || !shutdown) throw err;
    const wire = dataPlaneError("ServiceShuttingDown", shutdown.graceSeconds);
    const event = { type: "error", sequence_number: sequence + 1, code: wire.code, message: wire.message, param: null };
    if (!res.destroyed) res.end(`event: error\ndata: ${JSON.stringify(event)}\n\n`);
    iterator.return?.()?.catch(() => undefined);
  } finally {
    cut?.dispose();
    if (res.destroyed) await iterator.return?.();
  }
  return reply;
}
