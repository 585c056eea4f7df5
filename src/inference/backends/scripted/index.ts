import { createHash } from "node:crypto";
import { readYamlFile } from "../../../config/yaml-input.ts";
import type { ChatRequest, ModelBackend } from "../../chat-types.ts";
import { lastUserText, messageText } from "../../chat-types.ts";
import { textModel } from "../builtin/text-model.ts";

/**
 * A scripted chat model for application tests: answers come from a YAML fixture of prompt patterns,
 * tried in order against the last user message:
 *
 * ```yaml
 * - match: "weather in (\\w+)"     # a case-insensitive regular expression
 *   reply: "It is sunny in $1."     # $1… are the capture groups
 * - contains: "refund"              # or a plain substring
 *   reply: "Refunds take 5 days."
 * - match: "book a table for (\\d+)"
 *   call: { name: book_table, arguments: { guests: "$1" } }   # calls the caller's tool of that name
 * - default: "I cannot help with that."
 * ```
 *
 * A `call` rule answers with a tool call when the request offers that function tool (and `tool_choice` is not
 * `none`); otherwise it is skipped. The call id is `call_` + a hash of the messages. After the tool's result (the
 * last message is a `tool` message) call rules are skipped and the rules' text replies are tried against the
 * last user message as before, with `$tool` replaced by the tool's output.
 */
interface ScriptRule {
  pattern: RegExp;
  reply: string;
  call?: { name: string; arguments: Record<string, unknown> } | undefined;
}
interface Script {
  rules: ScriptRule[];
  fallback: string;
}

export function loadScript(path: string): Script {
  const parsed: unknown = readYamlFile(path);
  if (!Array.isArray(parsed))
    throw new Error(`The script '${path}' must be a YAML list of {match|contains, reply} entries and one {default}.`);
  const rules: ScriptRule[] = [];
  let fallback = "";
  parsed.forEach((entry: Record<string, unknown>, i) => {
    if (typeof entry?.default === "string") fallback = entry.default;
    else {
      const call = callOf(entry?.call, i, path);
      if (typeof entry?.reply !== "string" && !call)
        throw new Error(`Entry ${i} of '${path}' needs a string 'reply' or a 'call' (or is a {default: text}).`);
      const reply = typeof entry.reply === "string" ? entry.reply : "";
      if (typeof entry.match === "string") rules.push({ pattern: new RegExp(entry.match, "i"), reply, call });
      else if (typeof entry.contains === "string") rules.push({ pattern: new RegExp(escapeRegExp(entry.contains), "i"), reply, call });
      else throw new Error(`Entry ${i} of '${path}' needs 'match' (a regular expression) or 'contains' (text).`);
    }
  });
  return { rules, fallback };
}

function callOf(value: unknown, i: number, path: string): ScriptRule["call"] {
  if (value === undefined) return undefined;
  const call = value as { name?: unknown; arguments?: unknown } | null;
  if (typeof call?.name !== "string" || (call.arguments !== undefined && (typeof call.arguments !== "object" || call.arguments === null)))
    throw new Error(`Entry ${i} of '${path}': 'call' needs a 'name' and optional 'arguments' (a mapping).`);
  return { name: call.name, arguments: (call.arguments as Record<string, unknown> | undefined) ?? {} };
}

export function scriptedModel(script: Script): ModelBackend {
  return textModel("scripted", (request: ChatRequest) => {
    const text = lastUserText(request);
    const last = request.messages.at(-1);
    const toolOutput = last?.role === "tool" ? messageText(last) : undefined;
    const offered = new Set(
      request.tool_choice === "none" ? [] : (request.tools ?? []).filter((t) => t?.type === "function").map((t) => t.function?.name),
    );
    for (const rule of script.rules) {
      if (rule.call && (toolOutput !== undefined || !offered.has(rule.call.name))) continue;
      const match = rule.pattern.exec(text);
      if (!match) continue;
      const fill = (template: string) => template.replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? "");
      if (rule.call) {
        const args = JSON.parse(JSON.stringify(rule.call.arguments), (_key, v: unknown) => (typeof v === "string" ? fill(v) : v));
        const id = `call_${createHash("sha256").update(JSON.stringify(request.messages)).digest("hex").slice(0, 24)}`;
        return {
          kind: "tool-calls",
          calls: [{ id, type: "function", function: { name: rule.call.name, arguments: JSON.stringify(args) } }],
        };
      }
      return { kind: "text", text: fill(rule.reply).replaceAll("$tool", toolOutput ?? "") };
    }
    return { kind: "text", text: script.fallback.replaceAll("$tool", toolOutput ?? "") };
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
