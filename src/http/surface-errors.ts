import type { FastifyReply, FastifyRequest } from "fastify";
import { UnavailableError, WireError, withHeaders } from "../core/errors.ts";

/**
 * Renders a WireError as `{"error":{"code","message",…details}}` — the envelope ARM, Graph and the data plane
 * share. `translate` maps framework failures (bad JSON, body too large) into the surface's own catalog; any
 * other error is a 5xx whose cause goes to the log, never to the client. `unavailable` names the surface's 503 for
 * an `UnavailableError` (a node that cannot confirm its access policy is current), sent with `Retry-After`.
 */
export function errorEnvelopeHandler(
  translate: (error: { statusCode?: number; code?: string; message: string }) => WireError | undefined,
  internal: (requestId: string) => WireError,
  unavailable?: (reason: string) => WireError,
) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    let wire = error instanceof WireError ? error : undefined;
    if (!wire && unavailable && error instanceof UnavailableError) {
      request.log.warn({ reason: error.message }, "answered 503: the access policy is not confirmed current");
      wire = withHeaders(unavailable(error.message), { "retry-after": String(error.retryAfterSeconds) });
    }
    if (!wire && typeof error === "object" && error !== null && "message" in error) {
      const e = error as { statusCode?: number; code?: string; message: string };
      if (e.statusCode !== undefined && e.statusCode < 500) wire = translate(e);
    }
    if (!wire) {
      request.log.error({ err: error }, "unhandled failure");
      wire = internal(String(request.id));
    }
    for (const [name, value] of Object.entries(wire.headers)) reply.header(name, value);
    return reply.status(wire.status).send({ error: { code: wire.code, message: wire.message, ...wire.details } });
  };
}
