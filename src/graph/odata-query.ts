import type { ListPage, ListQuery } from "../core/list-query.ts";
import { graphError } from "./graph-errors.ts";
import { type FilterFields, type FilterLimits, matchesFilter, parseFilter, toListCondition } from "./odata-filter.ts";

/** The query options a Graph collection request carries (`$filter`, `$select`, `$top`, `$skiptoken`). */
type ODataQuery = Readonly<Record<string, string | undefined>>;

interface CollectionRequest {
  /** Absolute URL of this collection without its query, e.g. `https://host/graph/v1.0/users`. */
  url: string;
  /** `@odata.context` of the response. */
  context: string;
  query: ODataQuery;
  filterFields: FilterFields;
  filterLimits?: FilterLimits;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 999;
const SUPPORTED = new Set(["$filter", "$select", "$top", "$skiptoken", "$count"]);

/**
 * Applies `$filter`, pages with `$top` and an opaque `$skiptoken` (the next page's absolute URL goes in
 * `@odata.nextLink`), and projects with `$select`. Query options we do not implement are refused with
 * `Request_UnsupportedQuery` rather than ignored, so a client never mistakes an unfiltered list for a filtered one.
 */
export function collectionResponse(items: readonly Record<string, unknown>[], request: CollectionRequest) {
  const { query } = request;
  refuseUnsupported(query);
  const filter = query.$filter === undefined ? undefined : parseFilter(query.$filter, request.filterFields, request.filterLimits);
  const matched = filter ? items.filter((item) => matchesFilter(filter, item)) : items;
  const top = pageSize(query.$top);
  const offset = skipToken(query.$skiptoken);
  const page = matched.slice(offset, offset + top);
  const select = selection(query.$select);
  const body: Record<string, unknown> = { "@odata.context": request.context, value: page.map((item) => project(item, select)) };
  if (offset + top < matched.length) body["@odata.nextLink"] = nextLink(request, top, offset + top);
  return body;
}

/** A collection storage can page and filter itself (a keyset page at a time), with the whole list as the fallback. */
interface PagedSource<T> {
  /** The filterable fields storage evaluates; a `$filter` on any other (or a lambda) is served from `all()`. */
  sqlFields: readonly string[];
  page(query: ListQuery): Promise<ListPage<T>>;
  all(): Promise<readonly T[]>;
  toJson(item: T): Record<string, unknown>;
}

/**
 * `collectionResponse` for a large collection: the filter and the page run in storage, so one request reads one
 * page (with `$skiptoken` a keyset cursor), not the tenant. A filter storage cannot evaluate exactly as
 * `matchesFilter` would is answered the old way, from the whole list in memory: the answer is the same either way.
 */
export async function pagedCollectionResponse<T>(source: PagedSource<T>, request: CollectionRequest) {
  const { query } = request;
  refuseUnsupported(query);
  const filter = query.$filter === undefined ? undefined : parseFilter(query.$filter, request.filterFields, request.filterLimits);
  const where = filter && toListCondition(filter, source.sqlFields);
  if (filter && !where)
    return collectionResponse(
      (await source.all()).map((item) => source.toJson(item)),
      request,
    );
  const top = pageSize(query.$top);
  const after = keysetToken(query.$skiptoken);
  const select = selection(query.$select);
  const page = await source.page({ where, after, limit: top });
  const body: Record<string, unknown> = {
    "@odata.context": request.context,
    value: page.items.map((item) => project(source.toJson(item), select)),
  };
  if (page.next !== undefined) body["@odata.nextLink"] = link(request, top, Buffer.from(`k${page.next}`).toString("base64url"));
  return body;
}

function refuseUnsupported(query: ODataQuery): void {
  for (const key of Object.keys(query)) {
    if (key.startsWith("$") && !SUPPORTED.has(key.toLowerCase()))
      throw graphError("Request_UnsupportedQuery", `Unsupported query: the query option '${key}' is not supported.`);
  }
  if (query.$count !== undefined && query.$count !== "false")
    throw graphError("Request_UnsupportedQuery", "Unsupported query: $count is not supported.");
}

function keysetToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const decoded = /^k(.+)$/s.exec(Buffer.from(value, "base64url").toString("utf8"));
  if (!decoded) throw graphError("Request_BadRequest", "Invalid $skiptoken: follow @odata.nextLink as returned instead of building one.");
  return decoded[1];
}

/** Projects one object with `$select` (single-object GETs honour it too). */
export function selectFields(item: Record<string, unknown>, query: ODataQuery): Record<string, unknown> {
  return project(item, selection(query.$select));
}

function pageSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PAGE;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE)
    throw graphError("Request_BadRequest", `Invalid value '${value}' for $top: use an integer from 1 to ${MAX_PAGE}.`);
  return n;
}

function skipToken(value: string | undefined): number {
  if (value === undefined) return 0;
  const decoded = /^o(\d+)$/.exec(Buffer.from(value, "base64url").toString("utf8"));
  if (!decoded) throw graphError("Request_BadRequest", "Invalid $skiptoken: follow @odata.nextLink as returned instead of building one.");
  return Number(decoded[1]);
}

function nextLink(request: CollectionRequest, top: number, offset: number): string {
  return link(request, top, Buffer.from(`o${offset}`).toString("base64url"));
}

function link(request: CollectionRequest, top: number, token: string): string {
  const params = new URLSearchParams();
  for (const key of ["$filter", "$select"] as const) {
    const value = request.query[key];
    if (value !== undefined) params.set(key, value);
  }
  params.set("$top", String(top));
  params.set("$skiptoken", token);
  return `${request.url}?${params.toString()}`;
}

function selection(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const fields = value
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  if (fields.length === 0) throw graphError("Request_BadRequest", "$select needs at least one property name.");
  return fields;
}

function project(item: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return item;
  const keys = Object.keys(item);
  const out: Record<string, unknown> = {};
  if (item["@odata.type"] !== undefined) out["@odata.type"] = item["@odata.type"];
  for (const wanted of select) {
    const key = keys.find((k) => k.toLowerCase() === wanted.toLowerCase());
    if (key === undefined) throw graphError("Request_BadRequest", `Could not find a property named '${wanted}' on this type.`);
    out[key] = item[key];
  }
  return out;
}
