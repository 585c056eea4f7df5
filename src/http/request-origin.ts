import type { FastifyRequest } from "fastify";

/** The origin the client used (scheme is always https here); issuers and endpoints follow it. */
export function requestOrigin(request: FastifyRequest): string {
  return `https://${request.headers.host ?? request.hostname}`;
}

/** The bearer token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1]!.trim() : "";
}
