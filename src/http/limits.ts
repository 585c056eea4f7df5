import type { FastifyInstance } from "fastify";
import type { Config } from "../config/schema.ts";
import type { FilterLimits } from "../graph/odata-filter.ts";

/** The request bounds every surface enforces before its expensive work (settings in `config/schema.ts`). */
export interface HttpLimits {
  maxHeaderBytes: number;
  tokenMaxBodyBytes: number;
  armMaxBodyBytes: number;
  graphMaxBodyBytes: number;
  jsonMaxDepth: number;
  graphFilter: FilterLimits;
}

export function httpLimits(config: Config): HttpLimits {
  return {
    maxHeaderBytes: config.httpMaxHeaderBytes!,
    tokenMaxBodyBytes: config.tokenMaxBodyBytes!,
    armMaxBodyBytes: config.armMaxBodyBytes!,
    graphMaxBodyBytes: config.graphMaxBodyBytes!,
    jsonMaxDepth: config.jsonMaxDepth!,
    graphFilter: { maxLength: config.graphFilterMaxLength!, maxDepth: config.graphFilterMaxDepth! },
  };
}

/** Gives every route a surface registers (from here on, in this plugin) its own body limit. */
export function limitBodies(app: FastifyInstance, maxBytes: number): void {
  app.addHook("onRoute", (route) => {
    route.bodyLimit ??= maxBytes;
  });
}

/**
 * Replaces the JSON body parser with one that first measures nesting depth in a single pass over the text, so a
 * body of a million `[` is refused without building (or later walking) anything that deep. Fastify's own parser
 * (with its prototype-poisoning protection) then parses what passed.
 */
export function boundJsonDepth(app: FastifyInstance, maxDepth: number): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    if (jsonDepth(text, maxDepth) > maxDepth) {
      const error = Object.assign(new Error(`JSON nests deeper than ${maxDepth} levels; flatten the request body.`), {
        statusCode: 400,
        code: "FST_ERR_CTP_INVALID_JSON_BODY",
      });
      done(error, undefined);
      return;
    }
    parse(request, text, done);
  });
}

/** The deepest nesting of `{`/`[` outside strings, stopping as soon as it passes `stopAbove`. Linear, no recursion. */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return deepest;
}
