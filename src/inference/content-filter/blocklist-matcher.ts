import { regexWindows } from "../../core/safe-regex.ts";
import type { BlocklistItemSource } from "./types.ts";

/**
 * Custom blocklists compiled once per policy. Exact items match case-insensitively on word boundaries, as Azure's
 * do: texts and terms are cut into tokens (runs of letters, digits, marks and `_`, or single other non-space
 * characters), and a term matches a run of consecutive tokens. Terms are indexed by their first token, so a text is
 * scanned once whatever the number of terms (a 10,000-term list costs one map look-up per token). Regex items
 * (admitted by `core/safe-regex.ts`) are joined into one case-insensitive alternation per blocklist and run over
 * bounded windows.
 */
export interface BlocklistMatcher {
  /** The ids of the blocklists with at least one item found in `text`, in the order the lists were given. */
  match(text: string): string[];
}

interface BlocklistInput {
  id: string;
  items: readonly BlocklistItemSource[];
}

const TOKEN = /[\p{L}\p{N}\p{M}_]+|[^\s\p{L}\p{N}\p{M}_]/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

export function compileBlocklists(lists: readonly BlocklistInput[]): BlocklistMatcher {
  // first token → the terms that start with it, each with the index of its list
  const byFirst = new Map<string, Array<{ rest: string[]; list: number }>>();
  const regexes: Array<{ list: number; regex: RegExp }> = [];
  // One alternation per list; when items cannot share one (two name the same capture group), each runs alone.
  const joined = (list: number, patterns: string[]) => {
    try {
      return [{ list, regex: new RegExp(patterns.join("|"), "iu") }];
    } catch {
      return patterns.map((p) => ({ list, regex: new RegExp(p, "iu") }));
    }
  };
  lists.forEach((list, index) => {
    const patterns: string[] = [];
    for (const item of list.items) {
      if (item.isRegex) {
        patterns.push(`(?:${item.pattern})`);
        continue;
      }
      const tokens = tokenize(item.pattern);
      if (tokens.length === 0) continue;
      const [first, ...rest] = tokens as [string, ...string[]];
      const entries = byFirst.get(first) ?? [];
      entries.push({ rest, list: index });
      byFirst.set(first, entries);
    }
    if (patterns.length > 0) regexes.push(...joined(index, patterns));
  });
  return {
    match(text) {
      const hit = new Set<number>();
      if (byFirst.size > 0) {
        const tokens = tokenize(text);
        for (let i = 0; i < tokens.length && hit.size < lists.length; i++) {
          const entries = byFirst.get(tokens[i]!);
          if (!entries) continue;
          for (const entry of entries) {
            if (!hit.has(entry.list) && entry.rest.every((t, k) => tokens[i + 1 + k] === t)) hit.add(entry.list);
          }
        }
      }
      for (const { list, regex } of regexes) {
        if (hit.has(list)) continue;
        for (const window of regexWindows(text)) {
          if (regex.test(window)) {
            hit.add(list);
            break;
          }
        }
      }
      return lists.flatMap((list, index) => (hit.has(index) ? [list.id] : []));
    },
  };
}
