import type { FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The origin this request reached, from the configured names only (see `publicOrigins`). */
    publicOrigin: string;
  }
}

/** Where clients may reach this service: `publicUrl`, and the certificate's host names on the listening port. */
export interface PublicOrigins {
  publicUrl: string;
  /** DNS names and addresses this service answers to (localhost and the loopback addresses are always among them). */
  hostNames: readonly string[];
}

/**
 * Resolves a request's origin from its `Host` header only when that header names a configured host on our port;
 * anything else gets `publicUrl`. Issuers, token-endpoint audiences of client assertions, the Graph audience, the
 * device-login URL and redirect checks follow the origin: a forged `Host` must not choose them.
 */
export function publicOrigins(config: PublicOrigins, listeningPort: () => number): (host: string | undefined) => string {
  const configured = new URL(config.publicUrl);
  const names = new Set(["localhost", "127.0.0.1", "[::1]", configured.hostname, ...config.hostNames].map((n) => n.toLowerCase()));
  return (host) => {
    const port = String(listeningPort());
    // The default public URL names port 0 until the service listens; then it is the listening port.
    const fallback = configured.port === "0" ? `https://${configured.hostname}:${port}` : configured.origin;
    if (!host) return fallback;
    let url: URL;
    try {
      url = new URL(`https://${host}`);
    } catch {
      return fallback;
    }
    if (url.origin === configured.origin) return configured.origin;
    const hostPort = url.port === "" ? "443" : url.port;
    if (names.has(url.hostname) && hostPort === port && url.username === "" && url.pathname === "/") return url.origin;
    return fallback;
  };
}

/** The origin the client used, as resolved from the configured names (scheme is always https here). */
export function requestOrigin(request: FastifyRequest): string {
  return request.publicOrigin;
}

/** The bearer token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1]!.trim() : "";
}
