import { redactManagedIdentityUrl } from "./managed-identity-routes.ts";

/**
 * The one spelling of a request path that routing, logging and masking all see. RFC 3986 makes `%6d` and `m`
 * the same unreserved character and ARM clients send `//`; the router would accept both spellings anyway, so a
 * mask written for the plain spelling (the managed-identity path secret) would miss the others. Rewriting the
 * URL before routing closes that gap: percent-encoded unreserved characters are decoded and runs of `/` folded
 * in the path; the query string is left exactly as sent.
 */
export function normalizeRequestUrl(url: string): string {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const normalized = path
    .replace(/%([0-9A-Fa-f]{2})/g, (encoded, hex: string) => {
      const c = String.fromCharCode(Number.parseInt(hex, 16));
      return /[A-Za-z0-9\-._~]/.test(c) ? c : encoded.toUpperCase();
    })
    .replace(/\/{2,}/g, "/");
  return q < 0 ? normalized : normalized + url.slice(q);
}

/** The request URL as logs and error messages may show it: normalised, with path secrets masked. */
export function loggableUrl(url: string): string {
  return redactManagedIdentityUrl(normalizeRequestUrl(url));
}
