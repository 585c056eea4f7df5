import { createHash } from "node:crypto";
import type { ChatRequest, ToolCall, ToolDefinition } from "../../chat-types.ts";
import { lastUserText, messageText } from "../../chat-types.ts";
import { type Reply, textModel } from "./text-model.ts";

/**
 * The built-in deterministic chat model (`Keyless/keyless-echo/1`): the same messages always give the same
 * answer, offline, in microseconds, so application tests can assert on it.
 *
 * - Plain chat: `You said: "<last user message>"`.
 * - Tools (documented, deterministic): when `tools` are given and `tool_choice` is not `none`, the model calls
 *   a tool when `tool_choice` names one, when it is `required` (first tool), or when the last user message
 *   mentions a tool's function name (first mentioned, in `tools` order). Arguments fill each `required`
 *   parameter: strings get the last user message, numbers 0, booleans false, arrays [], objects {}. The call id
 *   is `call_` + a hash of the messages. After a `tool` message the model answers
 *   `Tool <name> returned: <content>`.
 */
export const builtinChat = textModel("builtin-chat", reply);

function reply(request: ChatRequest): Reply {
  const last = request.messages.at(-1);
  if (last?.role === "tool") {
    const name = toolNameOf(request, last.tool_call_id) ?? last.name ?? "tool";
    return { kind: "text", text: `Tool ${name} returned: ${messageText(last)}` };
  }
  const tool = chosenTool(request);
  if (tool) return { kind: "tool-calls", calls: [callOf(request, tool)] };
  return { kind: "text", text: `You said: "${lastUserText(request)}"` };
}

function chosenTool(request: ChatRequest): ToolDefinition | undefined {
  const tools = (request.tools ?? []).filter((t) => t?.type === "function" && typeof t.function?.name === "string");
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === "none") return undefined;
  if (typeof choice === "object" && choice !== null) return tools.find((t) => t.function.name === choice.function?.name);
  if (choice === "required") return tools[0];
  const text = lastUserText(request);
  return tools.find((t) => text.includes(t.function.name));
}

function callOf(request: ChatRequest, tool: ToolDefinition): ToolCall {
  const text = lastUserText(request);
  const properties = tool.function.parameters?.properties ?? {};
  const args: Record<string, unknown> = {};
  for (const name of tool.function.parameters?.required ?? []) {
    const type = properties[name]?.type;
    args[name] =
      type === "number" || type === "integer" ? 0 : type === "boolean" ? false : type === "array" ? [] : type === "object" ? {} : text;
  }
  const id = `call_${createHash("sha256").update(JSON.stringify(request.messages)).digest("hex").slice(0, 24)}`;
  return { id, type: "function", function: { name: tool.function.name, arguments: JSON.stringify(args) } };
}

function toolNameOf(request: ChatRequest, callId: string | undefined): string | undefined {
  for (const message of request.messages) {
    const call = message.tool_calls?.find((c) => c.id === callId);
    if (call) return call.function.name;
  }
  return undefined;
}
