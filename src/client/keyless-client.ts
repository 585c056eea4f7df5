import { RESOURCES } from "./token-client.ts";
import type { HttpResponse, Transport } from "./transport.ts";

type Surface = keyof typeof RESOURCES;

/** A bearer token for one resource; the caller decides how it is obtained and cached. */
type TokenProvider = (resource: string) => Promise<string>;

export { API_VERSIONS } from "./api-versions.ts";

interface CallOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Typed access to the three token-protected surfaces of one Keyless server: ARM (`/subscriptions…`), Graph
 * (`/graph/v1.0`) and the data plane (`/accounts/{a}/…`). Paths are given relative to each surface's root.
 */
export function createKeylessClient(transport: Transport, baseUrl: string, tokens: TokenProvider) {
  const root = baseUrl.replace(/\/+$/, "");
  const prefix: Record<Surface, string> = { arm: root, graph: `${root}/graph/v1.0`, cognitive: root };

  function url(surface: Surface, path: string, query: CallOptions["query"] = {}): string {
    const target = new URL(`${prefix[surface]}${path.startsWith("/") ? path : `/${path}`}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) target.searchParams.set(key, value);
    return target.toString().replace(/%24/g, "$").replace(/\+/g, "%20");
  }

  async function call(surface: Surface, method: string, path: string, options: CallOptions = {}): Promise<HttpResponse> {
    const token = await tokens(RESOURCES[surface]);
    return transport.send({
      method,
      url: url(surface, path, options.query),
      headers: { authorization: `Bearer ${token}`, ...options.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
  }

  /** GETs every page of an ARM or Graph list (`nextLink` / `@odata.nextLink`). */
  async function list(surface: Surface, path: string, query: CallOptions["query"] = {}): Promise<unknown[]> {
    const items: unknown[] = [];
    let page = (await call(surface, "GET", path, { query })).body as { value?: unknown[]; nextLink?: string; "@odata.nextLink"?: string };
    items.push(...(page.value ?? []));
    let next = page.nextLink ?? page["@odata.nextLink"];
    while (next) {
      const token = await tokens(RESOURCES[surface]);
      page = (await transport.send({ method: "GET", url: next, headers: { authorization: `Bearer ${token}` } })).body as typeof page;
      items.push(...(page.value ?? []));
      next = page.nextLink ?? page["@odata.nextLink"];
    }
    return items;
  }

  async function stream(path: string, body: unknown, query: CallOptions["query"] = {}): Promise<AsyncIterable<Buffer>> {
    const token = await tokens(RESOURCES.cognitive);
    return transport.stream({
      method: "POST",
      url: url("cognitive", path, query),
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
      body,
    });
  }

  return {
    arm: (method: string, path: string, options?: CallOptions) => call("arm", method, path, options),
    graph: (method: string, path: string, options?: CallOptions) => call("graph", method, path, options),
    dataPlane: (method: string, path: string, options?: CallOptions) => call("cognitive", method, path, options),
    list,
    stream,
    url,
  };
}

export type KeylessClient = ReturnType<typeof createKeylessClient>;
