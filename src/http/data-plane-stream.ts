import type { FastifyReply } from "fastify";
import { WireError } from "../core/errors.ts";
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
  options: { forwardUsage: boolean; drainTimeoutMs: number },
): Promise<FastifyReply> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...headersOf(reply),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  try {
    for (let item = first; !item.done; item = await iterator.next()) {
      if (res.destroyed) break;
      if (noteUsage(item.value, onUsage) === "usage-only" && !options.forwardUsage) continue;
      if (!res.write(`data: ${item.value}\n\n`)) await drained(res, options.drainTimeoutMs);
    }
    if (!res.destroyed) res.end("data: [DONE]\n\n");
  } catch (err) {
    if (res.destroyed) return reply;
    onFailure(err);
    const wire = err instanceof WireError ? err : dataPlaneError("BackendUnavailable");
    res.end(`data: ${JSON.stringify({ error: { code: wire.code, message: wire.message } })}\n\n`);
  } finally {
    if (res.destroyed) await iterator.return?.();
  }
  return reply;
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
 * it is an ordinary JSON error), writes wait for `drain`, and a client that stops reading is cut off.
 */
export async function writeEventStream(
  reply: FastifyReply,
  events: AsyncIterable<{ type: string }>,
  options: { drainTimeoutMs: number },
): Promise<FastifyReply> {
  const iterator = events[Symbol.asyncIterator]();
  const first = await iterator.next();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...headersOf(reply),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  try {
    for (let item = first; !item.done; item = await iterator.next()) {
      if (res.destroyed) break;
      if (!res.write(`event: ${item.value.type}\ndata: ${JSON.stringify(item.value)}\n\n`)) await drained(res, options.drainTimeoutMs);
    }
  } finally {
    if (res.destroyed) await iterator.return?.();
    else res.end();
  }
  return reply;
}
