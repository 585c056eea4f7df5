import { readFileSync } from "node:fs";
import { getCACertificates } from "node:tls";
import type { Dispatcher } from "undici";
import { redactBody, redactUrl } from "./redact.ts";
import { restErrorFrom } from "./rest-error.ts";

/** Where a request goes and how it is traced; one per CLI invocation or test. */
export interface TransportOptions {
  /** PEM file of a CA to trust besides the system roots (the server's local CA). */
  caPath?: string | undefined;
  /** Receives one line per request and response, secrets already redacted (`--debug`). */
  trace?: ((line: string) => void) | undefined;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** JSON value (sent as application/json) or a form (URLSearchParams). */
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface Transport {
  send(req: HttpRequest): Promise<HttpResponse>;
  /** Sends and returns the raw body stream (server-sent events). Non-2xx answers are thrown as RestError. */
  stream(req: HttpRequest): Promise<AsyncIterable<Buffer>>;
  close(): Promise<void>;
}

export function createTransport(options: TransportOptions = {}): Transport {
  // The server's CA is added to the default roots (which include NODE_EXTRA_CA_CERTS), not put in their place.
  const agentOptions = options.caPath ? { connect: { ca: [...getCACertificates("default"), readFileSync(options.caPath, "utf8")] } } : {};
  // undici loads with the first request: `keyless serve` runs through the CLI, and a server need not hold it (about
  // 6 MB of heap with the copy inside Node that it pulls in; see inference/lazy-undici.ts).
  let dispatcher: Dispatcher | undefined;
  const trace = options.trace;

  async function open(req: HttpRequest) {
    const { headers, body } = encode(req);
    trace?.(`Request: ${req.method} ${redactUrl(req.url)}`);
    if (body !== undefined) trace?.(`Request body: ${redactBody(body)}`);
    const { Agent, request } = await import("undici");
    dispatcher ??= new Agent(agentOptions);
    const started = Date.now();
    const response = await request(req.url, {
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body: body ?? null,
      dispatcher,
    });
    trace?.(`Response: ${response.statusCode} (${Date.now() - started} ms)`);
    return response;
  }

  return {
    async send(req) {
      const response = await open(req);
      const text = await response.body.text();
      if (text !== "") trace?.(`Response body: ${redactBody(text)}`);
      const parsed = parseBody(text);
      if (response.statusCode >= 400) throw restErrorFrom(response.statusCode, parsed);
      return { status: response.statusCode, headers: response.headers, body: parsed };
    },
    async stream(req) {
      const response = await open(req);
      if (response.statusCode >= 400) throw restErrorFrom(response.statusCode, parseBody(await response.body.text()));
      return response.body as AsyncIterable<Buffer>;
    },
    close: async () => dispatcher?.close(),
  };
}

function encode(req: HttpRequest): { headers: Record<string, string>; body: string | undefined } {
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "keyless-cli", ...req.headers };
  if (req.body === undefined) return { headers, body: undefined };
  if (req.body instanceof URLSearchParams)
    return { headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: req.body.toString() };
  return { headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(req.body) };
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
