import type { WireError } from "../core/errors.ts";
import type { ChatRequest } from "./chat-types.ts";
import { dataPlaneError, invalidRequest } from "./data-plane-errors.ts";

/** Azure's documented caps on one chat call (quotas and limits: 2,048 messages, 128 tools). */
export interface ChatLimits {
  maxMessages: number;
  maxTools: number;
}

/**
 * Checks every field a backend reads before any backend reads it, so malformed content is a 400 naming the field
 * (`Invalid type for 'messages[0].content[0]': expected an object, but got null instead.`, as OpenAI and Azure
 * answer) and never a crash inside a backend. Fields nobody reads pass through unchecked.
 */
export function checkChatRequest(body: unknown, limits: ChatLimits): ChatRequest {
  const request = object(body, "body");
  const messages = request.messages;
  if (messages === undefined || messages === null)
    throw invalidRequest(dataPlaneError("missing_required_parameter", "messages"), "messages");
  array(messages, "messages", limits.maxMessages);
  if ((messages as unknown[]).length === 0)
    throw invalidRequest(dataPlaneError("invalid_value", "messages", "it must not be empty."), "messages");
  for (const [i, m] of (messages as unknown[]).entries()) checkMessage(m, `messages[${i}]`);
  if (request.tools !== undefined)
    for (const [i, t] of array(request.tools, "tools", limits.maxTools).entries()) checkTool(t, `tools[${i}]`);
  checkToolChoice(request.tool_choice);
  for (const field of ["max_tokens", "max_completion_tokens", "n"]) optionalInteger(request[field], field);
  if (request.seed !== undefined && request.seed !== null && !Number.isInteger(request.seed))
    throw wrongType("seed", "an integer", request.seed);
  for (const field of ["temperature", "top_p", "presence_penalty", "frequency_penalty"]) optionalNumber(request[field], field);
  if (request.stream !== undefined && request.stream !== null && typeof request.stream !== "boolean")
    throw wrongType("stream", "a boolean", request.stream);
  if (request.stream_options !== undefined && request.stream_options !== null) object(request.stream_options, "stream_options");
  checkStop(request.stop);
  return request as ChatRequest;
}

const ROLES = new Set(["system", "user", "assistant", "tool", "developer"]);

function checkMessage(value: unknown, at: string): void {
  const message = object(value, at);
  if (typeof message.role !== "string") throw wrongType(`${at}.role`, "a string", message.role);
  if (!ROLES.has(message.role))
    throw invalidRequest(dataPlaneError("invalid_value", `${at}.role`, `it must be one of: ${[...ROLES].join(", ")}.`), `${at}.role`);
  checkContent(message.content, `${at}.content`);
  for (const field of ["name", "tool_call_id"]) optionalString(message[field], `${at}.${field}`);
  if (message.tool_calls !== undefined && message.tool_calls !== null)
    for (const [i, c] of array(message.tool_calls, `${at}.tool_calls`).entries()) checkToolCall(c, `${at}.tool_calls[${i}]`);
}

function checkContent(content: unknown, at: string): void {
  if (content === undefined || content === null || typeof content === "string") return;
  array(content, at).forEach((part, i) => {
    const p = object(part, `${at}[${i}]`);
    if (typeof p.type !== "string") throw wrongType(`${at}[${i}].type`, "a string", p.type);
    if (p.type === "text" && typeof p.text !== "string") throw wrongType(`${at}[${i}].text`, "a string", p.text);
    if (p.type === "image_url") {
      const image = object(p.image_url, `${at}[${i}].image_url`);
      if (typeof image.url !== "string") throw wrongType(`${at}[${i}].image_url.url`, "a string", image.url);
    }
  });
}

function checkToolCall(value: unknown, at: string): void {
  const call = object(value, at);
  if (typeof call.id !== "string") throw wrongType(`${at}.id`, "a string", call.id);
  const fn = object(call.function, `${at}.function`);
  if (typeof fn.name !== "string") throw wrongType(`${at}.function.name`, "a string", fn.name);
  if (typeof fn.arguments !== "string") throw wrongType(`${at}.function.arguments`, "a string", fn.arguments);
}

function checkTool(value: unknown, at: string): void {
  const tool = object(value, at);
  if (tool.type !== "function") throw invalidRequest(dataPlaneError("invalid_value", `${at}.type`, "it must be 'function'."), `${at}.type`);
  const fn = object(tool.function, `${at}.function`);
  if (typeof fn.name !== "string") throw wrongType(`${at}.function.name`, "a string", fn.name);
  optionalString(fn.description, `${at}.function.description`);
  if (fn.parameters === undefined || fn.parameters === null) return;
  const parameters = object(fn.parameters, `${at}.function.parameters`);
  if (parameters.properties !== undefined) {
    const properties = object(parameters.properties, `${at}.function.parameters.properties`);
    for (const [name, schema] of Object.entries(properties)) object(schema, `${at}.function.parameters.properties.${name}`);
  }
  if (parameters.required !== undefined) {
    array(parameters.required, `${at}.function.parameters.required`).forEach((r, i) => {
      if (typeof r !== "string") throw wrongType(`${at}.function.parameters.required[${i}]`, "a string", r);
    });
  }
}

function checkToolChoice(choice: unknown): void {
  if (choice === undefined || choice === null) return;
  if (typeof choice === "string") {
    if (!["none", "auto", "required"].includes(choice))
      throw invalidRequest(
        dataPlaneError("invalid_value", "tool_choice", "it must be 'none', 'auto', 'required' or a named function."),
        "tool_choice",
      );
    return;
  }
  const fn = object(object(choice, "tool_choice").function, "tool_choice.function");
  if (typeof fn.name !== "string") throw wrongType("tool_choice.function.name", "a string", fn.name);
}

function checkStop(stop: unknown): void {
  if (stop === undefined || stop === null || typeof stop === "string") return;
  array(stop, "stop", 4).forEach((s, i) => {
    if (typeof s !== "string") throw wrongType(`stop[${i}]`, "a string", s);
  });
}

function object(value: unknown, at: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw wrongType(at, "an object", value);
  return value as Record<string, unknown>;
}

function array(value: unknown, at: string, max?: number): unknown[] {
  if (!Array.isArray(value)) throw wrongType(at, "an array", value);
  if (max !== undefined && value.length > max) throw invalidRequest(dataPlaneError("array_above_max_length", at, max, value.length), at);
  return value;
}

function optionalString(value: unknown, at: string): void {
  if (value !== undefined && value !== null && typeof value !== "string") throw wrongType(at, "a string", value);
}

function optionalNumber(value: unknown, at: string): void {
  if (value !== undefined && value !== null && (typeof value !== "number" || !Number.isFinite(value)))
    throw wrongType(at, "a number", value);
}

function optionalInteger(value: unknown, at: string): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(value)) throw wrongType(at, "an integer", value);
  if ((value as number) < 0) throw invalidRequest(dataPlaneError("invalid_value", at, "it must not be negative."), at);
}

function wrongType(param: string, expected: string, got: unknown): WireError {
  return invalidRequest(dataPlaneError("invalid_type", param, expected, describe(got)), param);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal";
  return `a ${typeof value}`;
}
