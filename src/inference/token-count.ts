/**
 * Token counting for the built-in models: words, numbers and single punctuation marks each count as one
 * token, and long words one per four characters, close to BPE counts for English text.
 */
const PIECE = /[A-Za-z]+|\d+|[^\sA-Za-z\d]/g;

export function splitTokens(text: string): string[] {
  const pieces: string[] = [];
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    for (let i = 0; i < piece.length; i += 4) pieces.push(piece.slice(i, i + 4));
  }
  return pieces;
}

export function countTokens(text: string): number {
  return splitTokens(text).length;
}

/** Prompt tokens as OpenAI counts them: message text plus a small per-message overhead. */
export function countPromptTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + countTokens(text) + 3, 3);
}
