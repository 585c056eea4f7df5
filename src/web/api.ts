import { API_VERSIONS } from "../client/api-versions.ts";
import { type Audience, accessToken } from "./session.ts";

export { API_VERSIONS };

/** An error answer of any surface: ARM/Graph `{error:{code,message}}` or the data plane's Azure shape. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** An RBAC denial's explanation (ARM AuthorizationFailed, data-plane PermissionDenied): what is missing, which roles grant it. */
  readonly explanation: DenialExplanation | undefined;
  constructor(status: number, code: string, message: string, explanation?: DenialExplanation) {
    super(message);
    this.status = status;
    this.code = code;
    this.explanation = explanation;
  }
}

interface DenialExplanation {
  missing?: string;
  scope?: string;
  suggestedRoles?: { id: string; roleName: string }[];
}

const ROOTS: Record<Audience, string> = { arm: "", graph: "/graph/v1.0", data: "" };

interface CallInit {
  method?: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

function url(audience: Audience, path: string, query: CallInit["query"] = {}): string {
  const params = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined);
  const search = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
  return `${ROOTS[audience]}${path}${search ? (path.includes("?") ? "&" : "?") + search : ""}`;
}

/** One call as the signed-in user; every answer other than 2xx becomes an ApiError with the service's message. */
export async function call<T>(audience: Audience, path: string, init: CallInit = {}): Promise<T> {
  const response = await send(audience, url(audience, path, init.query), init);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function send(audience: Audience, target: string, init: CallInit): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${await accessToken(audience)}` };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(target, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (!response.ok) throw await apiError(response);
  return response;
}

async function apiError(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; explanation?: DenialExplanation } | string;
      message?: string;
    };
    const error = typeof body.error === "object" ? body.error : undefined;
    const code = error?.code ?? String(body.error ?? response.status);
    return new ApiError(response.status, code, error?.message ?? body.message ?? text, error?.explanation);
  } catch {
    return new ApiError(response.status, String(response.status), text || response.statusText);
  }
}

/** Every item of an ARM or Graph list, following nextLink / @odata.nextLink. */
export async function list<T>(audience: Audience, path: string, query: CallInit["query"] = {}): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = url(audience, path, query);
  while (next) {
    const page = (await (await send(audience, next, {})).json()) as { value: T[]; nextLink?: string; "@odata.nextLink"?: string };
    items.push(...page.value);
    const link = page.nextLink ?? page["@odata.nextLink"];
    next = link ? link.replace(/^https?:\/\/[^/]+/, "") : undefined;
  }
  return items;
}

export const arm = {
  get: <T>(path: string, apiVersion: string) => call<T>("arm", path, { query: { "api-version": apiVersion } }),
  list: <T>(path: string, apiVersion: string, query: Record<string, string> = {}) =>
    list<T>("arm", path, { "api-version": apiVersion, ...query }),
  put: <T>(path: string, apiVersion: string, body: unknown) =>
    call<T>("arm", path, { method: "PUT", query: { "api-version": apiVersion }, body }),
  patch: <T>(path: string, apiVersion: string, body: unknown) =>
    call<T>("arm", path, { method: "PATCH", query: { "api-version": apiVersion }, body }),
  post: <T>(path: string, apiVersion: string, body?: unknown) =>
    call<T>("arm", path, { method: "POST", query: { "api-version": apiVersion }, body }),
  delete: (path: string, apiVersion: string) => call<void>("arm", path, { method: "DELETE", query: { "api-version": apiVersion } }),
};

/** Server-sent events of a streaming data-plane call: each `data:` payload parsed, until `[DONE]`. */
export async function* stream<T>(path: string, body: unknown): AsyncGenerator<T> {
  const response = await send("data", path, { method: "POST", body });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") return;
        yield JSON.parse(data) as T;
      }
      end = buffer.indexOf("\n\n");
    }
  }
}
