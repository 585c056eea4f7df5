import { randomBytes } from "node:crypto";
import type { ChatCompletion, ChatMessage, ChatRequest, ToolChoice, ToolDefinition, Usage } from "./chat-types.ts";
import { dataPlaneError, invalidRequest } from "./data-plane-errors.ts";

/**
 * The OpenAI Responses API over chat-completions backends: a create request becomes one chat request (the stored
 * conversation of `previous_response_id`, then `instructions`, then `input`), and the chat answer becomes a
 * response object with `message` and `function_call` output items. Shapes follow the `openai` SDK's types
 * (`resources/responses`): docs/responses-api.md.
 */

/** One item of a response's input or output, as stored and as returned (`input_items`, `output`). */
export type ResponseItem =
  | {
      type: "message";
      id: string;
      status?: "completed" | "in_progress" | "incomplete";
      role: "user" | "assistant" | "system" | "developer";
      content: ContentPart[];
    }
  | { type: "function_call"; id: string; call_id: string; name: string; arguments: string; status?: "completed" | "in_progress" }
  | { type: "function_call_output"; id: string; call_id: string; output: string; status?: "completed" };

export type ContentPart =
  | { type: "input_text"; text: string }
  | { type: "output_text"; text: string; annotations: unknown[]; logprobs?: unknown[] };

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = "completed" | "incomplete" | "in_progress" | "failed";

/** The response object (`object: "response"`). */
export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponseItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: null; summary: null };
  store: boolean;
  temperature: number | null;
  text: { format: Record<string, unknown> };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: "disabled";
  usage: ResponseUsage | null;
  user: string | null;
  metadata: Record<string, string>;
}

/** A create request, checked: what the chat request and the response object are built from. */
export interface ResponseRequest {
  model: unknown;
  input: ResponseItem[];
  instructions: string | null;
  previousResponseId: string | null;
  store: boolean;
  stream: boolean;
  tools: FunctionTool[];
  toolChoice: unknown;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  parallelToolCalls: boolean;
  textFormat: Record<string, unknown>;
  user: string | null;
  metadata: Record<string, string>;
}

export interface FunctionTool {
  type: "function";
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

/** A stored response: the object, the input items of its own request, and the conversation a follow-up continues. */
export interface StoredResponse {
  id: string;
  accountId: string;
  principalId: string;
  createdAt: string;
  expiresAt: string;
  response: ResponseObject;
  inputItems: ResponseItem[];
  /** Every item so far: the previous conversation, this input, this output (never `instructions`). */
  conversation: ResponseItem[];
}

/** Where responses are kept (storage implements it; `main.ts` wires it). A read never crosses principals. */
export interface ResponseStore {
  save(response: StoredResponse): Promise<void>;
  /** The response if it exists, is not expired, and belongs to this principal on this account. */
  find(accountId: string, principalId: string, id: string, now: string): Promise<StoredResponse | undefined>;
  /** True when a response of this principal was deleted. */
  delete(accountId: string, principalId: string, id: string): Promise<boolean>;
  deleteExpired(now: string): Promise<number>;
}

/** The Responses API's limits (settings). */
export interface ResponsesLimits {
  /** Days a stored response is kept (0: forever). */
  retentionDays: number;
  /** Bytes of stored conversation one response may carry (its chain included); beyond, a follow-up is refused. */
  maxConversationBytes: number;
  /** Input items one create request may carry. */
  maxInputItems: number;
}

const MESSAGE_ROLES = new Set(["user", "assistant", "system", "developer"]);

/** Checks a create body; every field a backend or the response object reads has its type checked here. */
export function parseResponseRequest(body: unknown, limits: ResponsesLimits): ResponseRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw invalidRequest(dataPlaneError("InvalidRequest", "The request body must be a JSON object."), null);
  const b = body as Record<string, unknown>;
  if (b.background === true)
    throw unsupported("background", "background mode is not supported by this service; call without 'background'.");
  if (b.conversation !== undefined && b.conversation !== null)
    throw unsupported("conversation", "conversations are not supported; chain responses with 'previous_response_id'.");
  if (b.input === undefined || b.input === null) throw invalidRequest(dataPlaneError("missing_required_parameter", "input"), "input");
  const input = inputItems(b.input, limits.maxInputItems);
  const maxOutputTokens = optionalInteger(b.max_output_tokens, "max_output_tokens");
  if (maxOutputTokens !== null && maxOutputTokens < 1)
    throw invalidRequest(dataPlaneError("invalid_value", "max_output_tokens", "it must be at least 1."), "max_output_tokens");
  return {
    model: b.model,
    input,
    instructions: optionalString(b.instructions, "instructions"),
    previousResponseId: optionalString(b.previous_response_id, "previous_response_id"),
    store: optionalBoolean(b.store, "store") ?? true,
    stream: optionalBoolean(b.stream, "stream") ?? false,
    tools: tools(b.tools),
    toolChoice: toolChoice(b.tool_choice),
    maxOutputTokens,
    temperature: optionalNumber(b.temperature, "temperature"),
    topP: optionalNumber(b.top_p, "top_p"),
    parallelToolCalls: optionalBoolean(b.parallel_tool_calls, "parallel_tool_calls") ?? true,
    textFormat: textFormat(b.text),
    user: optionalString(b.user, "user"),
    metadata: metadata(b.metadata),
  };
}

function inputItems(input: unknown, maxItems: number): ResponseItem[] {
  if (typeof input === "string")
    return [{ type: "message", id: itemId("msg"), role: "user", content: [{ type: "input_text", text: input }] }];
  if (!Array.isArray(input)) throw wrongType("input", "a string or an array of input items", input);
  if (input.length > maxItems) throw invalidRequest(dataPlaneError("array_above_max_length", "input", maxItems, input.length), "input");
  return input.map((raw, i) => inputItem(raw, `input[${i}]`));
}

function inputItem(raw: unknown, at: string): ResponseItem {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw wrongType(at, "an object", raw);
  const item = raw as Record<string, unknown>;
  const type = item.type ?? "message";
  if (type === "message") {
    if (typeof item.role !== "string" || !MESSAGE_ROLES.has(item.role))
      throw invalidRequest(
        dataPlaneError("invalid_value", `${at}.role`, "it must be one of: user, assistant, system, developer."),
        `${at}.role`,
      );
    return {
      type: "message",
      id: typeof item.id === "string" ? item.id : itemId("msg"),
      status: "completed",
      role: item.role as "user",
      content: contentParts(item.content, `${at}.content`, item.role === "assistant"),
    };
  }
  if (type === "function_call") {
    return {
      type: "function_call",
      id: typeof item.id === "string" ? item.id : itemId("fc"),
      call_id: requiredString(item.call_id, `${at}.call_id`),
      name: requiredString(item.name, `${at}.name`),
      arguments: requiredString(item.arguments, `${at}.arguments`),
      status: "completed",
    };
  }
  if (type === "function_call_output") {
    const output = item.output;
    const text = typeof output === "string" ? output : Array.isArray(output) ? partsText(output, `${at}.output`) : undefined;
    if (text === undefined) throw wrongType(`${at}.output`, "a string", output);
    return {
      type: "function_call_output",
      id: typeof item.id === "string" ? item.id : itemId("fco"),
      call_id: requiredString(item.call_id, `${at}.call_id`),
      output: text,
      status: "completed",
    };
  }
  throw unsupported(
    `${at}.type`,
    `input items of type '${String(type)}' are not supported; use message, function_call or function_call_output.`,
  );
}

function contentParts(content: unknown, at: string, assistant: boolean): ContentPart[] {
  if (typeof content === "string")
    return [assistant ? { type: "output_text", text: content, annotations: [] } : { type: "input_text", text: content }];
  if (!Array.isArray(content)) throw wrongType(at, "a string or an array of content parts", content);
  return content.map((raw, i) => {
    const part = raw as Record<string, unknown> | null;
    if (part === null || typeof part !== "object") throw wrongType(`${at}[${i}]`, "an object", raw);
    if (part.type === "input_text") return { type: "input_text", text: requiredString(part.text, `${at}[${i}].text`) };
    if (part.type === "output_text") return { type: "output_text", text: requiredString(part.text, `${at}[${i}].text`), annotations: [] };
    throw unsupported(
      `${at}[${i}].type`,
      `content parts of type '${String(part.type)}' are not supported; use input_text (or output_text).`,
    );
  });
}

function partsText(parts: unknown[], at: string): string {
  return contentParts(parts, at, false)
    .map((p) => p.text)
    .join("");
}

function tools(value: unknown): FunctionTool[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw wrongType("tools", "an array", value);
  return value.map((raw, i) => {
    const at = `tools[${i}]`;
    const tool = raw as Record<string, unknown> | null;
    if (tool === null || typeof tool !== "object") throw wrongType(at, "an object", raw);
    if (tool.type !== "function")
      throw unsupported(`${at}.type`, `tools of type '${String(tool.type)}' are not supported; only function tools are.`);
    const parameters = tool.parameters;
    if (parameters !== undefined && parameters !== null && (typeof parameters !== "object" || Array.isArray(parameters)))
      throw wrongType(`${at}.parameters`, "an object", parameters);
    return {
      type: "function",
      name: requiredString(tool.name, `${at}.name`),
      description: optionalString(tool.description, `${at}.description`),
      parameters: (parameters as Record<string, unknown> | undefined) ?? null,
      strict: optionalBoolean(tool.strict, `${at}.strict`),
    };
  });
}

function toolChoice(value: unknown): unknown {
  if (value === undefined || value === null) return "auto";
  if (value === "auto" || value === "none" || value === "required") return value;
  if (typeof value === "object" && (value as { type?: unknown }).type === "function") {
    requiredString((value as { name?: unknown }).name, "tool_choice.name");
    return value;
  }
  throw invalidRequest(
    dataPlaneError("invalid_value", "tool_choice", "it must be 'auto', 'none', 'required' or {type: 'function', name}."),
    "tool_choice",
  );
}

function textFormat(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return { type: "text" };
  if (typeof value !== "object" || Array.isArray(value)) throw wrongType("text", "an object", value);
  const format = (value as { format?: unknown }).format;
  if (format === undefined || format === null) return { type: "text" };
  if (typeof format !== "object" || Array.isArray(format)) throw wrongType("text.format", "an object", format);
  const f = format as Record<string, unknown>;
  if (f.type === "text" || f.type === "json_object") return { type: f.type };
  if (f.type === "json_schema") {
    requiredString(f.name, "text.format.name");
    if (f.schema === null || typeof f.schema !== "object" || Array.isArray(f.schema))
      throw wrongType("text.format.schema", "an object", f.schema);
    return { type: "json_schema", name: f.name, schema: f.schema, strict: f.strict === true, description: f.description ?? null };
  }
  throw invalidRequest(
    dataPlaneError("invalid_value", "text.format.type", "it must be 'text', 'json_object' or 'json_schema'."),
    "text.format.type",
  );
}

function metadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw wrongType("metadata", "an object", value);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 16) throw invalidRequest(dataPlaneError("invalid_value", "metadata", "it may hold at most 16 pairs."), "metadata");
  for (const [key, v] of entries)
    if (typeof v !== "string" || key.length > 64 || v.length > 512)
      throw invalidRequest(
        dataPlaneError("invalid_value", "metadata", "keys are strings of at most 64 characters, values strings of at most 512."),
        "metadata",
      );
  return value as Record<string, string>;
}

/** The chat request a create request amounts to: the stored conversation, the instructions, then the new input. */
export function toChatRequest(request: ResponseRequest, previous: ResponseItem[]): ChatRequest {
  const messages: ChatMessage[] = [];
  if (request.instructions !== null) messages.push({ role: "system", content: request.instructions });
  for (const item of [...previous, ...request.input]) appendItem(messages, item);
  const chat: ChatRequest = { messages };
  if (request.tools.length > 0) {
    chat.tools = request.tools.map(
      (t): ToolDefinition => ({
        type: "function",
        function: {
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          ...(t.parameters ? { parameters: t.parameters as NonNullable<ToolDefinition["function"]["parameters"]> } : {}),
        },
      }),
    );
    chat.tool_choice = chatToolChoice(request.toolChoice);
    chat.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.maxOutputTokens !== null) chat.max_completion_tokens = request.maxOutputTokens;
  if (request.temperature !== null) chat.temperature = request.temperature;
  if (request.topP !== null) chat.top_p = request.topP;
  if (request.textFormat.type === "json_object") chat.response_format = { type: "json_object" };
  if (request.textFormat.type === "json_schema") {
    const { name, schema, strict, description } = request.textFormat;
    chat.response_format = { type: "json_schema", json_schema: { name, schema, strict, ...(description ? { description } : {}) } };
  }
  if (request.user !== null) chat.user = request.user;
  return chat;
}

function chatToolChoice(choice: unknown): ToolChoice {
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  return { type: "function", function: { name: (choice as { name: string }).name } };
}

/** Consecutive function calls join one assistant message with several `tool_calls`, as chat models expect. */
function appendItem(messages: ChatMessage[], item: ResponseItem): void {
  if (item.type === "message") {
    messages.push({ role: item.role, content: item.content.map((p) => p.text).join("") });
    return;
  }
  if (item.type === "function_call") {
    const call = { id: item.call_id, type: "function" as const, function: { name: item.name, arguments: item.arguments } };
    const last = messages.at(-1);
    if (last?.role === "assistant" && last.tool_calls && !last.content) last.tool_calls.push(call);
    else messages.push({ role: "assistant", content: null, tool_calls: [call] });
    return;
  }
  messages.push({ role: "tool", tool_call_id: item.call_id, content: item.output });
}

/** The response object for a request, before any output (the `response.created` snapshot). */
export function responseShell(id: string, request: ResponseRequest, deployment: string, createdAt: number): ResponseObject {
  return {
    id,
    object: "response",
    created_at: createdAt,
    status: "in_progress",
    error: null,
    incomplete_details: null,
    instructions: request.instructions,
    max_output_tokens: request.maxOutputTokens,
    model: deployment,
    output: [],
    parallel_tool_calls: request.parallelToolCalls,
    previous_response_id: request.previousResponseId,
    reasoning: { effort: null, summary: null },
    store: request.store,
    temperature: request.temperature ?? 1,
    text: { format: request.textFormat },
    tool_choice: request.toolChoice,
    tools: request.tools.map((t) => ({
      type: "function",
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters ?? null,
      strict: t.strict ?? true,
    })),
    top_p: request.topP ?? 1,
    truncation: "disabled",
    usage: null,
    user: request.user,
    metadata: request.metadata,
  };
}

/** A chat completion's first choice as output items: the tool calls, else one assistant message. */
export function outputOf(completion: ChatCompletion): { output: ResponseItem[]; incomplete: IncompleteReason | undefined } {
  const choice = completion.choices[0];
  const output: ResponseItem[] = [];
  if (choice?.message.content) output.push(messageItem(itemId("msg"), choice.message.content));
  for (const call of choice?.message.tool_calls ?? [])
    output.push(functionCallItem(itemId("fc"), call.id, call.function.name, call.function.arguments));
  return { output, incomplete: incompleteReason(choice?.finish_reason) };
}

export type IncompleteReason = "max_output_tokens" | "content_filter";

/** A chat finish reason as a response's `incomplete_details.reason`: cut at the token limit, or by the content filter. */
export function incompleteReason(finish: string | null | undefined): IncompleteReason | undefined {
  return finish === "length" ? "max_output_tokens" : finish === "content_filter" ? "content_filter" : undefined;
}

export function messageItem(id: string, text: string, status: "completed" | "in_progress" = "completed"): ResponseItem {
  return { type: "message", id, status, role: "assistant", content: [{ type: "output_text", text, annotations: [], logprobs: [] }] };
}

export function functionCallItem(
  id: string,
  callId: string,
  name: string,
  args: string,
  status: "completed" | "in_progress" = "completed",
): ResponseItem {
  return { type: "function_call", id, call_id: callId, name, arguments: args, status };
}

/** The finished response: output, status (`incomplete` when cut at `max_output_tokens` or by the filter) and usage. */
export function finishResponse(
  shell: ResponseObject,
  output: ResponseItem[],
  incomplete: IncompleteReason | undefined,
  usage: Usage | undefined,
): ResponseObject {
  return {
    ...shell,
    status: incomplete ? "incomplete" : "completed",
    incomplete_details: incomplete ? { reason: incomplete } : null,
    output,
    usage: responseUsage(usage),
  };
}

export function responseUsage(usage: Usage | undefined): ResponseUsage {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage?.total_tokens ?? input + output,
  };
}

/** `resp_` + 48 hex characters: unguessable, so an id alone reveals nothing (reads are per principal anyway). */
export function newResponseId(): string {
  return `resp_${randomBytes(24).toString("hex")}`;
}

/** Item ids: a prefix (`msg`, `fc`, `fco`) and 48 hex characters. */
export function itemId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString("hex")}`;
}

/** The stored record of a finished response; refuses one whose conversation outgrows the limit. */
export function storedResponse(
  response: ResponseObject,
  request: ResponseRequest,
  previous: ResponseItem[],
  who: { accountId: string; principalId: string },
  now: Date,
  limits: ResponsesLimits,
): StoredResponse {
  const conversation = [...previous, ...request.input, ...response.output];
  const expiresAt =
    limits.retentionDays > 0 ? new Date(now.getTime() + limits.retentionDays * 86_400_000).toISOString() : "9999-12-31T23:59:59.999Z";
  return {
    id: response.id,
    accountId: who.accountId,
    principalId: who.principalId,
    createdAt: now.toISOString(),
    expiresAt,
    response,
    inputItems: request.input,
    conversation,
  };
}

/** Refuses a chain whose conversation would exceed the limit, before the model is called. */
export function checkConversationSize(previous: ResponseItem[], request: ResponseRequest, limits: ResponsesLimits): void {
  const bytes = Buffer.byteLength(JSON.stringify(previous)) + Buffer.byteLength(JSON.stringify(request.input));
  if (bytes > limits.maxConversationBytes)
    throw invalidRequest(dataPlaneError("ConversationTooLarge", bytes, limits.maxConversationBytes), "previous_response_id");
}

function unsupported(param: string, detail: string) {
  return invalidRequest(dataPlaneError("invalid_value", param, detail), param);
}

function wrongType(param: string, expected: string, got: unknown) {
  const kind = got === null ? "null" : Array.isArray(got) ? "an array" : `a ${typeof got}`;
  return invalidRequest(dataPlaneError("invalid_type", param, expected, kind), param);
}

function requiredString(value: unknown, param: string): string {
  if (value === undefined || value === null) throw invalidRequest(dataPlaneError("missing_required_parameter", param), param);
  if (typeof value !== "string") throw wrongType(param, "a string", value);
  return value;
}

function optionalString(value: unknown, param: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw wrongType(param, "a string", value);
  return value;
}

function optionalBoolean(value: unknown, param: string): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "boolean") throw wrongType(param, "a boolean", value);
  return value;
}

function optionalNumber(value: unknown, param: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) throw wrongType(param, "a number", value);
  return value;
}

function optionalInteger(value: unknown, param: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value)) throw wrongType(param, "an integer", value);
  return value as number;
}

/** The rows storage keeps for a response (JSON text columns); `main.ts` passes storage's repository here. */
export interface ResponseRows {
  saveMany(rows: readonly ResponseRow[]): Promise<void>;
  find(accountId: string, principalId: string, id: string, now: string): Promise<ResponseRow | undefined>;
  delete(accountId: string, principalId: string, id: string): Promise<boolean>;
  deleteExpired(now: string): Promise<number>;
}

export interface ResponseRow {
  id: string;
  accountId: string;
  principalId: string;
  createdAt: string;
  expiresAt: string;
  responseJson: string;
  inputItemsJson: string;
  conversationJson: string;
}

const sizeOf = (row: ResponseRow) => row.responseJson.length + row.inputItemsJson.length + row.conversationJson.length;

/**
 * The response store over storage's rows: objects in, JSON text at rest. Saves are grouped: a save waits for the
 * end of the event loop's turn (and for a write in flight), then every queued row goes in one statement, so
 * concurrent calls share a commit and its fsync (SQLite's driver blocks the loop while it writes, so without the
 * wait each call would commit alone). A save resolves only once its row is committed.
 */
export function responseStoreOver(rows: ResponseRows, maxBatch = 200, maxBatchBytes = 8_388_608): ResponseStore {
  const queued: Array<{ row: ResponseRow; done: () => void; failed: (err: unknown) => void }> = [];
  let busy = false;
  async function flush(): Promise<void> {
    while (queued.length > 0) {
      let count = 0;
      let bytes = 0;
      while (count < queued.length && count < maxBatch && (count === 0 || bytes < maxBatchBytes)) bytes += sizeOf(queued[count++]!.row);
      const batch = queued.splice(0, count);
      try {
        await rows.saveMany(batch.map((b) => b.row));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.failed(err);
      }
      if (queued.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    busy = false;
  }
  return {
    save: (r) =>
      new Promise<void>((done, failed) => {
        queued.push({
          row: {
            id: r.id,
            accountId: r.accountId,
            principalId: r.principalId,
            createdAt: r.createdAt,
            expiresAt: r.expiresAt,
            responseJson: JSON.stringify(r.response),
            inputItemsJson: JSON.stringify(r.inputItems),
            conversationJson: JSON.stringify(r.conversation),
          },
          done,
          failed,
        });
        if (!busy) {
          busy = true;
          setImmediate(() => void flush());
        }
      }),
    async find(accountId, principalId, id, now) {
      const row = await rows.find(accountId, principalId, id, now);
      return (
        row && {
          id: row.id,
          accountId: row.accountId,
          principalId: row.principalId,
          createdAt: row.createdAt,
          expiresAt: row.expiresAt,
          response: JSON.parse(row.responseJson) as ResponseObject,
          inputItems: JSON.parse(row.inputItemsJson) as ResponseItem[],
          conversation: JSON.parse(row.conversationJson) as ResponseItem[],
        }
      );
    },
    delete: (accountId, principalId, id) => rows.delete(accountId, principalId, id),
    deleteExpired: (now) => rows.deleteExpired(now),
  };
}
