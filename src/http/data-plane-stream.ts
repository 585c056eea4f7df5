import type { FastifyReply } from "fastify";
import type { WireError } from "../core/errors.ts";
import type { Drain } from "./drain.ts";
import { dataPlaneError, publicFailure } from "../inference/data-plane-errors.ts";
import type { Usage } from "../inference/chat-types.ts";

/**
 * Writes a chat stream as SSE (`data: <chunk>` lines, then `data: [DONE]`), through `writeEventStream`. A failure
 * mid-stream becomes one `data: {"error":…}` event (the openai SDK raises it as an APIError) and the stream ends
 * without `[DONE]`; the usage chunk nobody asked for (`stream_options.include_usage`) is noted and held back.
 */
export function streamChat(
  reply: FastifyReply,
  chunks: AsyncIterable<string>,
  onUsage: (usage: Usage) => void,
  onFailure: (err: unknown) => void,
  options: { forwardUsage: boolean; drainTimeoutMs: number; shutdown?: Drain },
): Promise<FastifyReply> {
  const errorEvent = (wire: WireError) => `data: ${JSON.stringify({ error: { code: wire.code, message: wire.message } })}\n\n`;
  return writeEventStream(
    reply,
    chunks,
    {
      frame: (chunk) => (noteUsage(chunk, onUsage) === "usage-only" && !options.forwardUsage ? undefined : `data: ${chunk}\n\n`),
      done: "data: [DONE]\n\n",
      shutDown: errorEvent,
      failed(err) {
        onFailure(err);
        return errorEvent(publicFailure(err, String(reply.request.id)));
      },
    },
    options,
  );
}

/** How a stream's items and ends are written as SSE text. */
interface SseFormat<T> {
  /** One item's event, or undefined to hold the item back. */
  frame(item: T): string | undefined;
  /** What ends a stream that ran to its end (nothing when absent). */
  done?: string;
  /** The event that ends a stream still open when the node's shutdown grace is over. */
  shutDown(wire: WireError): string;
  /** The event that ends a stream whose source failed after the first item; when absent, the failure is thrown. */
  failed?(err: unknown): string;
}

/**
 * Writes a stream as SSE. The first item is awaited before any header goes out, so a source that fails before it
 * still gets an ordinary JSON error (502/504/429). After that, items pass through one by one, waiting for `drain`
 * (backpressure). A client that has not drained what was written within `drainTimeoutMs` is cut off, so a caller
 * that stops reading cannot hold the backend's connection; a node that shuts down ends the streams still open at
 * its grace with `format.shutDown` (`ServiceShuttingDown`).
 */
export async function writeEventStream<T>(
  reply: FastifyReply,
  items: AsyncIterable<T>,
  format: SseFormat<T>,
  options: { drainTimeoutMs: number; shutdown?: Drain | undefined },
): Promise<FastifyReply> {
  const iterator = items[Symbol.asyncIterator]();
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
      const frame = format.frame(item.value);
      if (frame === undefined) continue;
      if (!res.write(frame)) await drained(res, options.drainTimeoutMs);
    }
    if (!res.destroyed) res.end(format.done);
  } catch (err) {
    if (err === SHUT_DOWN && shutdown) {
      if (!res.destroyed) res.end(format.shutDown(dataPlaneError("ServiceShuttingDown", shutdown.graceSeconds)));
      // The source's generator may be waiting for its next item: release it without waiting for that.
      iterator.return?.()?.catch(() => undefined);
      return reply;
    }
    if (!format.failed) throw err;
    if (res.destroyed) return reply;
    res.end(format.failed(err));
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
 * Named SSE events (`event: <type>` + `data: <json>`), the Responses API's stream: no `[DONE]`, the last event says
 * how it ended; a stream cut at shutdown ends with an `error` event numbered after the last one written.
 */
export function namedEvents(): SseFormat<{ type: string; sequence_number: number }> {
  let sequence = 0;
  return {
    frame(event) {
      sequence = event.sequence_number;
      return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    },
    shutDown(wire) {
      const event = { type: "error", sequence_number: sequence + 1, code: wire.code, message: wire.message, param: null };
      return `event: error\ndata: ${JSON.stringify(event)}\n\n`;
    },
  };
}
