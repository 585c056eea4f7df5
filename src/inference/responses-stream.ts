import type { WireError } from "../core/errors.ts";
import type { ChatCompletionChunk, FinishReason, Usage } from "./chat-types.ts";
import {
  finishResponse,
  functionCallItem,
  incompleteReason,
  itemId,
  messageItem,
  type ResponseItem,
  type ResponseObject,
} from "./responses.ts";

/** One Responses API stream event: its `type`, its `sequence_number`, and the fields of that type. */
export type ResponseEvent = { type: string; sequence_number: number } & Record<string, unknown>;

type OpenItem =
  | { kind: "text"; index: number; id: string; text: string }
  | { kind: "call"; index: number; id: string; callId: string; name: string; args: string; toolIndex: number };

/**
 * Turns a chat-completions stream (the JSON text of each chunk) into the Responses API's event sequence, as the
 * `openai` SDK's `ResponseStream` accumulates it: `response.created`, `response.in_progress`, then per output item
 * `response.output_item.added`, for text `response.content_part.added`, `response.output_text.delta`…,
 * `response.output_text.done`, `response.content_part.done`, for a tool call
 * `response.function_call_arguments.delta`…, `response.function_call_arguments.done`, then
 * `response.output_item.done`; last `response.completed` (or `response.incomplete` when cut at
 * `max_output_tokens`). Every event carries `sequence_number` from 0.
 *
 * The first chat chunk is awaited before `response.created`, so a backend that fails before answering fails the
 * call (a JSON error, no stream). A failure after that ends the stream with `response.failed` carrying the error
 * `onFailure` makes public of the cause. `onDone` gets the finished response (and the usage) before the last event is yielded.
 */
export async function* responseEvents(
  chunks: AsyncIterable<string>,
  shell: ResponseObject,
  onDone: (response: ResponseObject, usage: Usage | undefined) => Promise<void> | void,
  onFailure: (err: unknown) => WireError,
): AsyncGenerator<ResponseEvent> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): ResponseEvent => ({ type, sequence_number: sequence++, ...fields });
  const output: ResponseItem[] = [];
  let open: OpenItem | undefined;
  let usage: Usage | undefined;
  let finish: FinishReason | null = null;

  function* close(): Generator<ResponseEvent> {
    const item = open;
    open = undefined;
    if (!item) return;
    if (item.kind === "text") {
      const where = { item_id: item.id, output_index: item.index, content_index: 0 };
      yield event("response.output_text.done", { ...where, text: item.text, logprobs: [] });
      yield event("response.content_part.done", {
        ...where,
        part: { type: "output_text", text: item.text, annotations: [], logprobs: [] },
      });
      output[item.index] = messageItem(item.id, item.text);
    } else {
      yield event("response.function_call_arguments.done", {
        item_id: item.id,
        output_index: item.index,
        name: item.name,
        arguments: item.args,
      });
      output[item.index] = functionCallItem(item.id, item.callId, item.name, item.args);
    }
    yield event("response.output_item.done", { output_index: item.index, item: output[item.index] });
  }

  yield event("response.created", { response: shell });
  yield event("response.in_progress", { response: shell });
  try {
    for (let next = first; !next.done; next = await iterator.next()) {
      const chunk = parseChunk(next.value);
      if (!chunk) continue;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta ?? {};
      if (typeof delta.content === "string" && delta.content !== "") {
        if (open?.kind !== "text") {
          yield* close();
          const item = { kind: "text" as const, index: output.length, id: itemId("msg"), text: "" };
          open = item;
          output.push(messageItem(item.id, "", "in_progress"));
          yield event("response.output_item.added", { output_index: item.index, item: { ...output[item.index], content: [] } });
          yield event("response.content_part.added", {
            item_id: item.id,
            output_index: item.index,
            content_index: 0,
            part: { type: "output_text", text: "", annotations: [], logprobs: [] },
          });
        }
        open.text += delta.content;
        yield event("response.output_text.delta", {
          item_id: open.id,
          output_index: open.index,
          content_index: 0,
          delta: delta.content,
          logprobs: [],
        });
      }
      for (const call of delta.tool_calls ?? []) {
        const toolIndex = call.index ?? 0;
        if (open?.kind !== "call" || open.toolIndex !== toolIndex) {
          yield* close();
          const item = {
            kind: "call" as const,
            index: output.length,
            id: itemId("fc"),
            callId: call.id ?? itemId("call"),
            name: call.function?.name ?? "",
            args: "",
            toolIndex,
          };
          open = item;
          output.push(functionCallItem(item.id, item.callId, item.name, "", "in_progress"));
          yield event("response.output_item.added", { output_index: item.index, item: output[item.index] });
        }
        const piece = call.function?.arguments ?? "";
        if (piece !== "") {
          open.args += piece;
          yield event("response.function_call_arguments.delta", { item_id: open.id, output_index: open.index, delta: piece });
        }
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    yield* close();
    const response = finishResponse(shell, output, incompleteReason(finish), usage);
    await onDone(response, usage);
    yield event(response.status === "incomplete" ? "response.incomplete" : "response.completed", { response });
  } catch (err) {
    const wire = onFailure(err);
    const failed: ResponseObject = { ...shell, status: "failed", error: { code: wire.code, message: wire.message }, output };
    yield event("response.failed", { response: failed });
  } finally {
    await iterator.return?.();
  }
}

type StreamedChunk = Omit<Partial<ChatCompletionChunk>, "choices"> & {
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason?: FinishReason | null;
  }>;
};

function parseChunk(data: string): StreamedChunk | undefined {
  try {
    const chunk = JSON.parse(data) as unknown;
    return chunk !== null && typeof chunk === "object" ? (chunk as StreamedChunk) : undefined;
  } catch {
    return undefined; // a chunk that is not JSON carries nothing a response can use
  }
}
