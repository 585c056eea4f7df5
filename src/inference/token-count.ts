import { countTokens as countO200k, decode, encode } from "gpt-tokenizer/encoding/o200k_base";

/**
 * Usage is counted with a real BPE tokenizer: OpenAI's o200k_base (GPT-4o family), whose ranks ship inside the
 * `gpt-tokenizer` package, so nothing is downloaded at run time. Counts match what OpenAI-compatible clients
 * expect for English text within a few tokens for other model families.
 */
export function countTokens(text: string): number {
  return text === "" ? 0 : countO200k(text);
}

/** Keeps the first `limit` tokens of `text`. */
export function truncateToTokens(text: string, limit: number): string {
  if (limit <= 0) return "";
  const tokens = encode(text);
  return tokens.length <= limit ? text : decode(tokens.slice(0, limit));
}

/** Prompt tokens as OpenAI counts chat messages: each message's text plus 3 tokens of framing, plus 3 for the reply. */
export function countPromptTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + countTokens(text) + 3, 3);
}
