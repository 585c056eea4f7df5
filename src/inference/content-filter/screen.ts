import { type WireError, withDetails } from "../../core/errors.ts";
import { dataPlaneError } from "../data-plane-errors.ts";
import { safeClassification } from "./builtin-classifier.ts";
import type { ContentPolicy, SourcePolicy } from "./policy.ts";
import {
  type Classification,
  type ContentClassifier,
  type ContentFilterResults,
  type FilterSource,
  SEVERITY_RANK,
  type Screened,
} from "./types.ts";

/** A deployment's filter: its compiled policy and the classifier that rates texts. */
export interface ContentFilter {
  policy: ContentPolicy;
  classifier: ContentClassifier;
}

/**
 * Screens texts against one side of the policy and returns Azure's `content_filter_results` for each, with whether
 * a blocking rule fired. This is the step every operation shares (chat, completions, and any other route that
 * takes prompts or produces text).
 */
export async function screenTexts(
  filter: ContentFilter,
  source: FilterSource,
  texts: readonly string[],
  signal?: AbortSignal,
): Promise<Screened[]> {
  const rules = filter.policy[source];
  const classifications =
    rules.harms.length > 0 || rules.detections.length > 0
      ? await filter.classifier.classify(texts, signal)
      : texts.map(() => safeClassification());
  return texts.map((text, i) => verdict(rules, classifications[i] ?? safeClassification(), text));
}

function verdict(rules: SourcePolicy, classification: Classification, text: string): Screened {
  const results: ContentFilterResults = {};
  let filtered = false;
  for (const rule of rules.harms) {
    const severity = classification.harms[rule.category];
    const hit = rule.blocking && SEVERITY_RANK[severity] >= SEVERITY_RANK[rule.threshold];
    filtered ||= hit;
    results[rule.category] = { filtered: hit, severity };
  }
  for (const rule of rules.detections) {
    const detected = classification.detected.has(rule.category);
    const hit = rule.blocking && detected;
    filtered ||= hit;
    results[rule.category] = { filtered: hit, detected };
  }
  if (rules.matcher) {
    const hits = new Set(rules.matcher.match(text));
    const details = rules.lists.filter((l) => hits.has(l.id)).map((l) => ({ filtered: l.blocking, id: l.id }));
    const listFiltered = details.some((d) => d.filtered);
    filtered ||= listFiltered;
    results.custom_blocklists = { filtered: listFiltered, details };
  }
  return { results, filtered };
}

/** `prompt_filter_results` of a response: one entry per prompt text, in order. */
export function promptFilterResults(screened: readonly Screened[]) {
  return screened.map((s, i) => ({ prompt_index: i, content_filter_results: s.results }));
}

/** The 400 `content_filter` error Azure answers when a prompt is filtered. */
export function promptFilteredError(screened: Screened): WireError {
  return withDetails(dataPlaneError("content_filter"), {
    param: "prompt",
    type: null,
    status: 400,
    innererror: { code: "ResponsibleAIPolicyViolation", content_filter_result: screened.results },
  });
}
