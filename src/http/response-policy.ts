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

/**
 * The portal's page: never framed, and a content security policy that lets it load only this origin's files and
 * call only this origin. Styles may be inline because Fluent UI (Griffel) inserts its CSS rules at run time.
 */
export function portalPageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header("cache-control", "no-cache")
    .header("x-frame-options", "DENY")
    .header(
      "content-security-policy",
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
}
