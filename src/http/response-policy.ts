import type { FastifyReply } from "fastify";

/**
 * Response headers the token service owes its clients. Token responses must not be stored by any cache
 * (RFC 6749 §5.1: `Cache-Control: no-store` and `Pragma: no-cache`), and the pages that take a password must not be
 * framed by another site (clickjacking): `X-Frame-Options` for old browsers, CSP `frame-ancestors` for current ones.
 */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header("cache-control", "no-store").header("pragma", "no-cache");
}

/** An HTML sign-in page: never cached, never framed. */
export function signInPageHeaders(reply: FastifyReply): FastifyReply {
  return noStore(reply)
    .type("text/html; charset=utf-8")
    .header("x-frame-options", "DENY")
    .header("content-security-policy", "frame-ancestors 'none'");
}
