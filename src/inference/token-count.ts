/**
 * Token counting for the built-in models: words, numbers and single punctuation marks each count as one
 * token, and long words one per four characters, close to BPE counts for English text.
 */
const PIECE = /[A-Za-z]+|\d+|[^\sA-Za-z\d]/g;

/** The end offset of every token in `text`, in order. */
export function tokenEnds(text: string): number[] {
  const ends: number[] = [];
  for (const match of text.matchAll(PIECE)) {
    for (let i = 0; i < match[0].length; i += 4) ends.push(match.index + Math.min(i + 4, match[0].length));
  }
  return ends;
}

export function countTokens(text: string): number {
  return tokenEnds(text).length;
}

/** Prompt tokens as OpenAI counts them: message text plus a small per-message overhead. */
export function countPromptTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + countTokens(text) + 3, 3);
}
