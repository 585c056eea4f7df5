import { readYamlFile } from "../../../config/yaml-input.ts";
import type { ChatRequest, ModelBackend } from "../../chat-types.ts";
import { lastUserText } from "../../chat-types.ts";
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
 * - default: "I cannot help with that."
 * ```
 */
export interface ScriptRule {
  pattern: RegExp;
  reply: string;
}
export interface Script {
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
    else if (typeof entry?.reply !== "string") throw new Error(`Entry ${i} of '${path}' needs a string 'reply' (or is a {default: text}).`);
    else if (typeof entry.match === "string") rules.push({ pattern: new RegExp(entry.match, "i"), reply: entry.reply });
    else if (typeof entry.contains === "string") rules.push({ pattern: new RegExp(escapeRegExp(entry.contains), "i"), reply: entry.reply });
    else throw new Error(`Entry ${i} of '${path}' needs 'match' (a regular expression) or 'contains' (text).`);
  });
  return { rules, fallback };
}

export function scriptedModel(script: Script): ModelBackend {
  return textModel("scripted", (request: ChatRequest) => {
    const text = lastUserText(request);
    for (const rule of script.rules) {
      const match = rule.pattern.exec(text);
      if (match) return { kind: "text", text: rule.reply.replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? "") };
    }
    return { kind: "text", text: script.fallback };
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
