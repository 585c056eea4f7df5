import type { FastifyRequest } from "fastify";

/**
 * The template's own text in a deployment request body (`properties.template`, as the client sent it), kept
 * beside the parsed body so the engine can place a fault by line and column in the file the client read.
 */
const texts = new WeakMap<FastifyRequest, string>();

export function rememberTemplateText(request: FastifyRequest, text: string): void {
  texts.set(request, text);
}

export function templateTextOf(request: FastifyRequest | undefined): string | undefined {
  return request ? texts.get(request) : undefined;
}
