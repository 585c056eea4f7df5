import { createHash } from "node:crypto";
import type { ModelBackend } from "../../chat-types.ts";
import { countTokensCooperatively } from "../../token-count.ts";

export const DEFAULT_DIMENSIONS = 1536;
/** Characters hashed between two yields to the event loop: a full batch never holds it for long. */
const CHARS_PER_TURN = 16_384;

/**
 * The built-in deterministic embedding model (`Keyless/keyless-embed/1`): feature hashing of lower-cased word
 * and number tokens (each token adds ±1 to one of `dimensions` buckets, both chosen by a hash), then L2
 * normalisation. Same text, same vector; texts sharing words have a positive cosine similarity.
 */
export const builtinEmbeddings: ModelBackend = {
  kind: "builtin-embeddings",
  async embed(request, model) {
    const inputs = Array.isArray(request.input) ? request.input : [request.input];
    const dimensions = request.dimensions ?? DEFAULT_DIMENSIONS;
    const tokens = await countTokensCooperatively(inputs);
    const vectors: Float32Array[] = [];
    let sinceYield = 0;
    for (const text of inputs) {
      vectors.push(embed(text, dimensions));
      sinceYield += text.length + dimensions;
      if (sinceYield >= CHARS_PER_TURN) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return { model, vectors, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  },
};

export function embed(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  for (const token of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const digest = createHash("sha256").update(token).digest();
    const bucket = digest.readUInt32LE(0) % dimensions;
    vector[bucket]! += (digest[4]! & 1) === 0 ? 1 : -1;
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dimensions; i++) vector[i]! /= norm;
  return vector;
}
