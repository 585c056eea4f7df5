/** The most items one page of an ARM list carries; clients follow `nextLink` for the rest. */
export const PAGE_SIZE = 100;

/**
 * Pages a `{value: [...]}` list body: `$top` (when smaller) sets the page size, `$skiptoken` is the opaque
 * position the previous page's `nextLink` carried. Bodies without a `value` array pass through unchanged.
 */
export function paged(body: unknown, query: Record<string, string | undefined>, selfUrl: string): unknown {
  if (typeof body !== "object" || body === null || !Array.isArray((body as { value?: unknown }).value)) return body;
  const all = (body as { value: unknown[] }).value;
  const top = Number.parseInt(query.$top ?? "", 10);
  const size = Number.isInteger(top) && top > 0 && top < PAGE_SIZE ? top : PAGE_SIZE;
  const start = decodeSkipToken(query.$skiptoken);
  const page = all.slice(start, start + size);
  const rest = start + size < all.length;
  const result: Record<string, unknown> = { ...(body as Record<string, unknown>), value: page };
  if (rest) {
    const next = new URL(selfUrl);
    next.searchParams.set("$skiptoken", Buffer.from(String(start + size)).toString("base64url"));
    result.nextLink = next.toString();
  }
  return result;
}

function decodeSkipToken(token: string | undefined): number {
  if (!token) return 0;
  const n = Number.parseInt(Buffer.from(token, "base64url").toString("utf8"), 10);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
