/**
 * Usage is counted with a real BPE tokenizer: OpenAI's o200k_base (GPT-4o family), whose ranks ship inside the
 * `gpt-tokenizer` package, so nothing is downloaded at run time. Counts match what OpenAI-compatible clients
 * expect for English text within a few tokens for other model families.
 *
 * Byte-pair merging is quadratic in the length of one pre-token (a 16,000-letter "word" takes ~300 ms), so text
 * is first cut into pieces: every run of non-space characters longer than LONG_RUN is split into LONG_RUN slices.
 * That makes counting linear in the text (a word that long has no single token anyway; the count of a split word
 * differs by at most a token per slice). Long texts are counted slice by slice, yielding to the event loop
 * between slices, so no count holds it for long.
 */
const LONG_RUN = 128;

type Encoding = typeof import("gpt-tokenizer/encoding/o200k_base");
let encoding: Encoding | undefined;
let loading: Promise<Encoding> | undefined;

/**
 * Loads the o200k_base ranks: the largest module Keyless has (about as long to load as the rest of the server), so
 * it is loaded on the first count rather than at start-up; `keyless serve` loads it ahead once it is ready.
 */
export function loadTokenizer(): Promise<Encoding> {
  loading ??= import("gpt-tokenizer/encoding/o200k_base").then((module) => {
    encoding = module;
    return module;
  });
  return loading;
}

/** The loaded tokenizer; the synchronous functions below need loadTokenizer() to have finished. */
function tokenizer(): Encoding {
  if (!encoding) throw new Error("The tokenizer is not loaded yet: await loadTokenizer() first.");
  return encoding;
}
/** The longest o200k token is 128 bytes: any text has at least ⌈bytes/128⌉ tokens, and at most one per byte. */
const MAX_TOKEN_BYTES = 128;
/** Characters counted between two yields to the event loop (a few ms of tokenizing). */
const SLICE_CHARS = 8192;

/** The text's pieces: unchanged where no word is longer than LONG_RUN, cut at LONG_RUN characters where one is. */
function* pieces(text: string): Generator<string> {
  const longRun = new RegExp(`\\S{${LONG_RUN + 1},}`, "gu");
  let from = 0;
  for (const match of text.matchAll(longRun)) {
    if (match.index > from) yield text.slice(from, match.index);
    const run = match[0];
    for (let i = 0; i < run.length; ) {
      let end = Math.min(run.length, i + LONG_RUN);
      if (end < run.length && isHighSurrogate(run.charCodeAt(end - 1))) end++; // never split a surrogate pair
      yield run.slice(i, end);
      i = end;
    }
    from = match.index + run.length;
  }
  if (from < text.length) yield from === 0 ? text : text.slice(from);
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Tokens of `text` (after `await loadTokenizer()`). */
export function countTokens(text: string): number {
  const { countTokens: countO200k } = tokenizer();
  let total = 0;
  for (const piece of pieces(text)) total += countO200k(piece);
  return total;
}

/** The cheap bounds on a text's token count, from its UTF-8 length alone. */
export function tokenBounds(text: string): { lower: number; upper: number } {
  const bytes = Buffer.byteLength(text, "utf8");
  return { lower: Math.ceil(bytes / MAX_TOKEN_BYTES), upper: bytes };
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Counts the texts' tokens slice by slice, yielding between slices; stops as soon as the count passes `stopAbove`
 * (the rest is then added as its lower bound, so the answer is still a true lower bound of the count).
 */
export async function countTokensCooperatively(texts: readonly string[], stopAbove = Number.POSITIVE_INFINITY): Promise<number> {
  if (!encoding) await loadTokenizer();
  let total = 0;
  let sinceYield = 0;
  for (const [i, text] of texts.entries()) {
    for (let at = 0; at < text.length; ) {
      if (total > stopAbove) return total + restLowerBound(texts, i, text.slice(at));
      const end = sliceEnd(text, at);
      total += countTokens(text.slice(at, end));
      sinceYield += end - at;
      if (sinceYield >= SLICE_CHARS) {
        sinceYield = 0;
        await yieldToLoop();
      }
      at = end;
    }
  }
  return total;
}

/** Where the slice from `at` ends: before the last space within SLICE_CHARS, so words are rarely cut. */
function sliceEnd(text: string, at: number): number {
  const end = at + SLICE_CHARS;
  if (end >= text.length) return text.length;
  const space = text.lastIndexOf(" ", end);
  return space > at ? space : isHighSurrogate(text.charCodeAt(end - 1)) ? end + 1 : end;
}

function restLowerBound(texts: readonly string[], index: number, restOfCurrent: string): number {
  return texts.slice(index + 1).reduce((sum, t) => sum + tokenBounds(t).lower, tokenBounds(restOfCurrent).lower);
}

/** Keeps the first `limit` tokens of `text`; encodes only as much of the text as the limit can take. */
export async function truncateToTokens(text: string, limit: number): Promise<string> {
  if (limit <= 0) return "";
  const { encode, decode } = encoding ?? (await loadTokenizer());
  const head = text.slice(0, limit * MAX_TOKEN_BYTES);
  const tokens: number[] = [];
  for (const piece of pieces(head)) {
    for (const token of encode(piece)) tokens.push(token);
    if (tokens.length > limit) break;
  }
  return tokens.length <= limit && head.length === text.length ? text : decode(tokens.slice(0, limit));
}

/** Tokens of framing per chat message, and for the reply, as OpenAI counts them. */
export const MESSAGE_FRAMING_TOKENS = 3;

/**
 * Prompt tokens as OpenAI counts chat messages: each message's text plus 3 tokens of framing, plus 3 for the reply;
 * counted cooperatively (see countTokensCooperatively).
 */
export async function countPromptTokensCooperatively(texts: readonly string[], stopAbove?: number): Promise<number> {
  return (await countTokensCooperatively(texts, stopAbove)) + MESSAGE_FRAMING_TOKENS * (texts.length + 1);
}
