import type { ChatCompletion } from "../chat-types.ts";
import { type ContentFilter, promptFilterResults, screenTexts } from "./screen.ts";
import type { Screened } from "./types.ts";

/** Characters of completion text held before they are screened and released (Azure screens streams in batches too). */
const STREAM_BATCH_CHARS = 100;
/** Milliseconds held text waits for more from a slow backend before it is screened and released anyway. */
const STREAM_HOLD_MS = 40;

interface StreamChoice {
  index?: number;
  delta?: { content?: string | null };
  finish_reason?: string | null;
  [extra: string]: unknown;
}
interface StreamChunk {
  id?: string | undefined;
  object?: string | undefined;
  created?: number | undefined;
  model?: string | undefined;
  choices?: StreamChoice[];
  [extra: string]: unknown;
}

/**
 * A completion's choices screened as Azure screens them: each choice gets `content_filter_results`; one that a
 * blocking rule filters ends with `finish_reason: "content_filter"` and no content. `prompt_filter_results` joins
 * the body.
 */
export async function filterCompletion(
  filter: ContentFilter,
  prompt: readonly Screened[],
  completion: ChatCompletion,
  signal?: AbortSignal,
) {
  const screened = await screenTexts(
    filter,
    "completion",
    completion.choices.map((c) => c.message.content ?? ""),
    signal,
  );
  return {
    ...completion,
    prompt_filter_results: promptFilterResults(prompt),
    choices: completion.choices.map((choice, i) => {
      const verdict = screened[i]!;
      return verdict.filtered
        ? {
            ...choice,
            finish_reason: "content_filter" as const,
            message: { role: "assistant" as const, content: null },
            content_filter_results: verdict.results,
          }
        : { ...choice, content_filter_results: verdict.results };
    }),
  };
}

/**
 * A chat stream screened as Azure screens it. The backend's first chunk is awaited first (so a backend that fails
 * before its first byte still fails the call with a JSON error); then a chunk with `prompt_filter_results` and no
 * choices goes out, as Azure sends it. Completion text is screened in batches of {@link STREAM_BATCH_CHARS}
 * (or whatever arrived when the backend pauses for {@link STREAM_HOLD_MS}, so a slow stream still flows): in
 * the held modes (Default, Deferred, Blocking) a batch is released only once screened, each chunk's choices
 * carrying `content_filter_results`; with `Asynchronous_filter` chunks pass at once and each screened batch is
 * followed by an annotation chunk (`content_filter_results` with `content_filter_offsets`). Text a blocking rule
 * filters ends the stream with `finish_reason: "content_filter"`, after which nothing of the backend's is passed on.
 */
export async function* filterChatStream(
  filter: ContentFilter,
  prompt: readonly Screened[],
  chunks: AsyncIterable<string>,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const iterator = chunks[Symbol.asyncIterator]();
  const asynchronous = filter.policy.streamMode === "asynchronous";
  const texts = new Map<number, string>();
  let held: Array<{ raw: string; chunk: StreamChunk | undefined }> = [];
  let unscreened = 0;
  let checked = 0;
  let envelope: StreamChunk = {};

  /** Screens everything so far; the chunks to send (the held ones, annotated, or annotations), or the final filtered chunk. */
  async function release(): Promise<{ out: string[]; blocked: boolean }> {
    const fresh = unscreened;
    unscreened = 0;
    if (held.length === 0 && (!asynchronous || fresh === 0)) return { out: [], blocked: false };
    const verdicts = await screenBatch(filter, texts, signal);
    const blocked = [...verdicts].find(([, v]) => v.filtered);
    if (blocked) return { out: [finalChunk(envelope, blocked[0], blocked[1])], blocked: true };
    if (asynchronous) {
      const out = [...verdicts].map(([index, verdict]) =>
        annotation(envelope, index, verdict, { check_offset: checked, start_offset: checked, end_offset: texts.get(index)?.length ?? 0 }),
      );
      checked = Math.max(checked, ...[...texts.values()].map((t) => t.length));
      return { out, blocked: false };
    }
    const out = held.map((h) => annotate(h, verdicts));
    held = [];
    return { out, blocked: false };
  }

  try {
    let next = iterator.next();
    let item = await next;
    yield JSON.stringify({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: promptFilterResults(prompt) });
    while (!item.done) {
      const chunk = parse(item.value);
      if (chunk?.id) envelope = { id: chunk.id, object: chunk.object, created: chunk.created, model: chunk.model };
      const choices = chunk?.choices ?? [];
      for (const choice of choices) {
        const content = choice.delta?.content;
        if (typeof content === "string" && content !== "") {
          const index = choice.index ?? 0;
          texts.set(index, (texts.get(index) ?? "") + content);
          unscreened += content.length;
        }
      }
      const ends = choices.length === 0 || choices.some((c) => c.finish_reason);
      if (asynchronous) yield item.value;
      else held.push({ raw: item.value, chunk });
      if (unscreened >= STREAM_BATCH_CHARS || ends) {
        const { out, blocked } = await release();
        yield* out;
        if (blocked) return;
      }
      next = iterator.next();
      // A slow backend does not hold text back for long: what waited STREAM_HOLD_MS is screened and released.
      const waited = unscreened > 0 || held.length > 0 ? await settledWithin(next, STREAM_HOLD_MS) : "settled";
      if (waited === "waiting") {
        const { out, blocked } = await release();
        yield* out;
        if (blocked) return;
      }
      try {
        item = await next;
      } catch (err) {
        // The backend failed mid-stream: what it sent and the filter passes still goes out, then the failure.
        const { out, blocked } = await release();
        yield* out;
        if (blocked) return;
        throw err;
      }
    }
    const { out } = await release();
    yield* out;
  } finally {
    await iterator.return?.();
  }
}

/** Whether a promise settles within `ms` (its rejection is left to whoever awaits it next). */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<"settled" | "waiting"> {
  let timer: NodeJS.Timeout | undefined;
  const waiting = new Promise<"waiting">((resolve) => {
    timer = setTimeout(() => resolve("waiting"), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => "settled" as const,
        () => "settled" as const,
      ),
      waiting,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function screenBatch(filter: ContentFilter, texts: Map<number, string>, signal: AbortSignal | undefined) {
  const indexes = texts.size === 0 ? [0] : [...texts.keys()];
  const screened = await screenTexts(
    filter,
    "completion",
    indexes.map((i) => texts.get(i) ?? ""),
    signal,
  );
  return new Map(indexes.map((index, i) => [index, screened[i]!]));
}

function parse(raw: string): StreamChunk | undefined {
  try {
    const value = JSON.parse(raw) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as StreamChunk) : undefined;
  } catch {
    return undefined; // passed on as it is
  }
}

function annotate(held: { raw: string; chunk: StreamChunk | undefined }, verdicts: Map<number, Screened>): string {
  const { chunk } = held;
  if (!chunk?.choices || chunk.choices.length === 0) return held.raw;
  return JSON.stringify({
    ...chunk,
    choices: chunk.choices.map((c) => {
      const verdict = verdicts.get(c.index ?? 0);
      return verdict ? { ...c, content_filter_results: verdict.results } : c;
    }),
  });
}

function finalChunk(envelope: StreamChunk, index: number, verdict: Screened): string {
  return JSON.stringify({
    ...envelope,
    choices: [{ index, delta: {}, finish_reason: "content_filter", content_filter_results: verdict.results }],
  });
}

function annotation(envelope: StreamChunk, index: number, verdict: Screened, offsets: Record<string, number>): string {
  return JSON.stringify({
    ...envelope,
    choices: [{ index, delta: {}, finish_reason: null, content_filter_results: verdict.results, content_filter_offsets: offsets }],
  });
}
