import type { FastifyInstance } from "fastify";
import type { Config } from "../config/schema.ts";
import type { FilterLimits } from "../graph/odata-filter.ts";
import { nestingExceeds } from "./data-plane-body.ts";

/** The request bounds every surface enforces before its expensive work (settings in `config/schema.ts`). */
export interface HttpLimits {
  maxHeaderBytes: number;
  tokenBodyLimit: number;
  armBodyLimit: number;
  graphBodyLimit: number;
  jsonMaxDepth: number;
  graphFilter: FilterLimits;
}

export function httpLimits(config: Config): HttpLimits {
  return {
    maxHeaderBytes: config.headerSizeLimit,
    tokenBodyLimit: config.tokenBodyLimit,
    armBodyLimit: config.armBodyLimit,
    graphBodyLimit: config.graphBodyLimit,
    jsonMaxDepth: config.jsonDepthLimit,
    graphFilter: { maxLength: config.graphFilterLengthLimit, maxDepth: config.graphFilterDepthLimit },
  };
}

/** Gives every route a surface registers (from here on, in this plugin) its own body limit. */
export function limitBodies(app: FastifyInstance, maxBytes: number): void {
  app.addHook("onRoute", (route) => {
    route.bodyLimit ??= maxBytes;
  });
}

/**
 * Replaces the JSON body parser of the token service, ARM and Graph (the data plane has its own, with its own
 * error codes) with one that first measures nesting depth in a single pass over the text, so a body of a million
 * `[` is refused without building (or later walking) anything that deep. Fastify's own parser (with its
 * prototype-poisoning protection) then parses what passed.
 */
export function boundJsonDepth(app: FastifyInstance, maxDepth: number): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    if (nestingExceeds(text, maxDepth)) {
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
