import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the double saw of one request. */
export interface SeenRequest {
  path: string;
  model: string;
  authorization: string | undefined;
  stream: boolean;
  closedEarly: boolean;
  closedAt?: number;
}

/**
 * An OpenAI-compatible server shaped like vLLM/Ollama (`/v1/chat/completions`, `/v1/embeddings`, SSE with
 * `[DONE]`). The requested model name picks the behaviour, so one double drives every failure path:
 * `ok`, `slow` (a chunk every 100 ms, 50 chunks), `midfail` (two chunks, then the socket is cut), `ratelimited`
 * (429, Retry-After: 7), `broken` (500), `stall` (never answers), `flood` (streams 16 KB chunks as fast as it is read,
 * up to 64 MB, honouring backpressure).
 */
export async function startUpstreamDouble(): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as {
      model: string;
      stream?: boolean;
      input?: string | string[];
      messages?: Array<{ content: string }>;
    };
    const record: SeenRequest = {
      path: req.url ?? "",
      model: body.model,
      authorization: req.headers.authorization,
      stream: body.stream === true,
      closedEarly: false,
    };
    seen.push(record);
    res.on("close", () => {
      if (!res.writableFinished) {
        record.closedEarly = true;
        record.closedAt = Date.now();
      }
    });
    await behave(record, body, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function behave(
  record: SeenRequest,
  body: { model: string; input?: string | string[]; messages?: Array<{ content: string }> },
  res: ServerResponse,
) {
  const model = body.model;
  if (model === "stall") return;
  if (model === "ratelimited")
    return json(res, 429, { error: { message: "too many requests", type: "rate_limit" } }, { "retry-after": "7" });
  if (model === "broken") return json(res, 500, { error: { message: "CUDA out of memory", type: "internal" } });
  if (model === "rejects")
    return json(res, 400, { object: "error", message: "This model's maximum context length is 8 tokens.", type: "BadRequestError" });
  if (record.path.endsWith("/embeddings")) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ""];
    return json(res, 200, {
      object: "list",
      model,
      data: inputs.map((_, index) => ({ object: "embedding", index, embedding: [0.6, 0.8, index] })),
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
  }
  const content = `upstream says: ${body.messages?.at(-1)?.content ?? ""}`;
  if (!record.stream) {
    return json(res, 200, {
      id: "chatcmpl-up",
      object: "chat.completion",
      created: 1,
      model,
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
      usage: { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 },
    });
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  if (model === "flood") return flood(res, model);
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: "chatcmpl-up", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  res.write(chunk({ role: "assistant", content: "" }));
  const pieces = model === "slow" ? Array.from({ length: 50 }, (_, i) => ` w${i}`) : content.split(/(?= )/);
  for (const [i, piece] of pieces.entries()) {
    if (res.destroyed) return;
    if (model === "midfail" && i === 2) {
      // Crash a little after the first chunks, as a backend that dies mid-generation does.
      await sleep(100);
      res.destroy();
      return;
    }
    res.write(chunk({ content: piece }));
    if (model === "slow") await sleep(100);
  }
  res.write(chunk({}, "stop"));
  res.write(
    `data: ${JSON.stringify({ id: "chatcmpl-up", object: "chat.completion.chunk", created: 1, model, choices: [], usage: { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 } })}\n\n`,
  );
  res.end("data: [DONE]\n\n");
}

async function flood(res: ServerResponse, model: string) {
  const piece = `data: ${JSON.stringify({ id: "chatcmpl-up", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta: { content: "x".repeat(16_000) }, finish_reason: null }] })}\n\n`;
  for (let i = 0; i < 4096 && !res.destroyed; i++) {
    if (!res.write(piece)) await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
  }
  if (!res.destroyed) res.end("data: [DONE]\n\n");
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const part of req) text += part;
  return text;
}
