import { endianness } from "node:os";
import { Readable } from "node:stream";
import type { FastifyReply } from "fastify";
import type { EmbeddingsResult } from "../inference/chat-types.ts";
import { requireCapability, type DataOperation } from "../inference/data-plane.ts";
import { checkEmbeddingsLength, parseEmbeddingsRequest } from "../inference/prompt-limits.ts";
import { enforceLimits, estimatePromptTokens } from "./data-plane-budget.ts";
import { enforceQuotas } from "./data-plane-quota.ts";
import { abortOnDisconnect } from "./data-plane-call.ts";
import { admitCall, bodyOf, type DataRequest, deploymentFor, keepPrompt, type RouteFamily } from "./data-plane-handlers.ts";
import type { Services } from "./services.ts";

/** Embeddings: count, dimension and input length are checked against the limits before any vector is made. */
export function embeddingsHandler(services: Services, family: RouteFamily, operation: DataOperation) {
  return async (request: DataRequest, reply: FastifyReply) => {
    const { call, account } = await admitCall(services, request, reply, family, operation);
    const limits = services.dataPlane.limits.embeddings;
    const deployment = await deploymentFor(services, account, call, family.deploymentOf(request, bodyOf(request)));
    const input = parseEmbeddingsRequest(request.body, limits, deployment.modelLimits);
    keepPrompt(services, call, input.input);
    await checkEmbeddingsLength(input, limits, deployment.modelLimits);
    await enforceQuotas(services, account, deployment, call);
    const budget = await enforceLimits(services, reply, deployment, estimatePromptTokens(input.input), 0);
    const embed = requireCapability(deployment, "embed", "embeddings");
    const result = await call.trace.step("keyless.backend", () => embed(input, deployment.backendModel, abortOnDisconnect(reply)));
    call.promptTokens = result.usage.prompt_tokens;
    budget.settle(result.usage.total_tokens);
    return reply.type("application/json").send(Readable.from(embeddingsBody(result, input.encoding_format ?? "float")));
  };
}

/**
 * The body, written vector by vector: floats as numbers, or base64 of little-endian float32 (the openai SDK's
 * default request). A full batch (2,048 vectors as JSON numbers: tens of MB) is never one string in memory, and
 * serialising it never holds the event loop for long.
 */
async function* embeddingsBody(result: EmbeddingsResult, format: "float" | "base64"): AsyncGenerator<string> {
  yield `{"object":"list","model":${JSON.stringify(result.model)},"usage":${JSON.stringify(result.usage)},"data":[`;
  for (const [index, vector] of result.vectors.entries()) {
    const embedding = format === "base64" ? `"${littleEndianBase64(vector)}"` : `[${vector.join(",")}]`;
    yield `${index === 0 ? "" : ","}{"object":"embedding","index":${index},"embedding":${embedding}}`;
    // Formatting floats costs ~40 µs a vector: let other requests in between batches of them.
    if (index % VECTORS_PER_TURN === VECTORS_PER_TURN - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  yield "]}";
}

const VECTORS_PER_TURN = 32;

/** The float32 bytes as they are in memory on a little-endian host (all Node targets); copied in order otherwise. */
function littleEndianBase64(vector: Float32Array): string {
  if (endianness() === "LE") return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64");
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString("base64");
}
