import { readFile } from "node:fs/promises";
import type { GptEncoding } from "gpt-tokenizer/GptEncoding";

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

let encoding: GptEncoding | undefined;
let loading: Promise<GptEncoding> | undefined;

/**
 * Loads the o200k_base ranks (the largest data Keyless has) on the first count rather than at start-up; `keyless
 * serve` loads them ahead once it is ready. They are read from the package's `o200k_base.tiktoken` (its source data,
 * one base64 token and its rank a line) rather than imported from its generated JavaScript module, which holds the
 * same 200,000 ranks as a 2.4 MB array literal: compiling that literal left about 20 MB in the C heap of every node,
 * and reading the file is faster too (docs/benchmarks.md, "Node memory"). The ranks are built exactly as the
 * package's own generator builds that module (see tiktokenRanks), so counts are the same.
 */
export function loadTokenizer(): Promise<GptEncoding> {
  loading ??= Promise.all([
    import("gpt-tokenizer/GptEncoding"),
    readFile(new URL(import.meta.resolve("gpt-tokenizer/data/o200k_base.tiktoken"))),
  ]).then(
    ([{ GptEncoding }, file]) => {
      encoding = GptEncoding.getEncodingApi("o200k_base", () => tiktokenRanks(file));
      return encoding;
    },
    (err: Error) => {
      // Forgotten, so the next count tries again (the file may be restored) rather than failing for good.
      loading = undefined;
      throw new Error(`The tokenizer could not be loaded (gpt-tokenizer's data/o200k_base.tiktoken): ${err.message}`, { cause: err });
    },
  );
  return loading;
}

const BASE64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUE = new Int8Array(256).fill(-1);
for (const [value, digit] of [...BASE64_DIGITS].entries()) BASE64_VALUE[digit.charCodeAt(0)] = value;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const DIGIT_ZERO = 0x30;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** For bytes below 0x80 only (where windows-1252, which the WHATWG calls "latin1", is ASCII): faster than UTF-8. */
const asciiText = new TextDecoder("latin1");

/**
 * The ranks of a `.tiktoken` file (lines of `<base64 token> <rank>`), indexed by rank: a token's text where its bytes
 * are valid UTF-8, else its bytes, and "" for an unused rank — as gpt-tokenizer's generator (generateJsBpe) builds
 * its modules from the same file. Its decoder drops a leading byte-order mark, so such a token does not survive a
 * round trip and stays bytes there; here too. One pass over the bytes, no string per line.
 */
export function tiktokenRanks(file: Uint8Array): (string | number[])[] {
  const ranks: (string | number[])[] = [];
  const token = new Uint8Array(256);
  for (let at = 0; at < file.length; ) {
    let length = 0;
    let bits = 0;
    let buffered = 0;
    let ascii = true;
    for (; at < file.length && file[at] !== SPACE; at++) {
      const value = BASE64_VALUE[file[at]!]!;
      if (value < 0) continue; // "=" padding
      buffered = ((buffered << 6) | value) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        const byte = (buffered >> bits) & 0xff;
        token[length++] = byte;
        if (byte >= 0x80) ascii = false;
      }
    }
    let rank = 0;
    for (at++; at < file.length && file[at] !== NEWLINE; at++) rank = rank * 10 + file[at]! - DIGIT_ZERO;
    at++;
    const bytes = token.subarray(0, length);
    while (ranks.length < rank) ranks.push("");
    ranks.push((ascii ? asciiText.decode(bytes) : utf8Text(bytes)) ?? Array.from(bytes));
  }
  return ranks;
}

function utf8Text(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return undefined;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The loaded tokenizer; the synchronous functions below need loadTokenizer() to have finished. */
function tokenizer(): GptEncoding {
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
