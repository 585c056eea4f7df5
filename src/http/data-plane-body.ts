import type { FastifyInstance, FastifyRequest } from "fastify";
import type { WireError } from "../core/errors.ts";
import { dataPlaneError } from "../inference/data-plane-errors.ts";

/**
 * JSON bodies on the data plane: the route's byte limit is enforced while reading (Fastify's `bodyLimit`, 413
 * RequestEntityTooLarge), then one linear scan refuses a body nested deeper than `maxDepth` before `JSON.parse`,
 * so no later step (validation, logging, serialising) can recurse past the stack.
 */
export function parseJsonBodies(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === "") return done(null, undefined);
    if (nestingExceeds(text, maxDepth)) return done(dataPlaneError("JsonTooDeep", maxDepth), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(dataPlaneError("InvalidJson", (err as Error).message), undefined);
    }
  });
}

/** True when brackets outside strings nest deeper than `max`; stops at the first level past it. */
export function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Fastify's own "body too large" becomes the catalog's 413, naming the route's limit. */
export function bodyTooLarge(error: unknown, request: FastifyRequest): WireError | undefined {
  if ((error as { code?: string } | null)?.code !== "FST_ERR_CTP_BODY_TOO_LARGE") return undefined;
  return dataPlaneError("RequestEntityTooLarge", request.routeOptions.bodyLimit ?? 0);
}
