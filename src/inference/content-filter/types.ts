/**
 * Content filtering as Azure OpenAI and Foundry Models apply it (docs/content-filtering.md): a deployment's RAI
 * policy (`raiPolicyName`) says which harm categories block at which severity, which detections (jailbreak,
 * profanity, protected material, …) are on, and which custom blocklists apply, for the prompt and the completion.
 * A {@link ContentClassifier} (an adapter: the built-in deterministic one, or an external moderation endpoint)
 * rates texts; the policy turns ratings and blocklist hits into Azure's `content_filter_results`.
 */

/** The four harm categories, rated on Azure's severity scale. */
export const HARM_CATEGORIES = ["hate", "sexual", "violence", "self_harm"] as const;
export type HarmCategory = (typeof HARM_CATEGORIES)[number];

/** Yes/no detections (prompt shields, profanity, protected material). */
export const DETECTIONS = ["jailbreak", "indirect_attack", "profanity", "protected_material_text", "protected_material_code"] as const;
export type Detection = (typeof DETECTIONS)[number];

export type Severity = "safe" | "low" | "medium" | "high";
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { safe: 0, low: 1, medium: 2, high: 3 };

export type FilterSource = "prompt" | "completion";

/** What a classifier says about one text. */
export interface Classification {
  harms: Record<HarmCategory, Severity>;
  detected: ReadonlySet<Detection>;
}

/**
 * The port every classifier adapter implements: one classification per text, in order. An adapter that cannot
 * answer throws a data-plane catalog error (ContentFilterUnavailable).
 */
export interface ContentClassifier {
  readonly kind: string;
  classify(texts: readonly string[], signal?: AbortSignal): Promise<Classification[]>;
}

/** A policy as stored (ARM's `raiPolicies` properties, merged over its base policy), read by the data plane. */
export interface RaiPolicySource {
  name: string;
  mode: string;
  contentFilters: ReadonlyArray<{
    name: string;
    enabled?: boolean | undefined;
    blocking?: boolean | undefined;
    severityThreshold?: string | undefined;
    source: string;
  }>;
  customBlocklists: ReadonlyArray<{ blocklistName: string; blocking?: boolean | undefined; source: string }>;
  /** Changes whenever the policy or one of its blocklists (or their items) changes; compiled policies are reused while it holds. */
  revision: string;
}

export interface BlocklistItemSource {
  name: string;
  pattern: string;
  isRegex: boolean;
}

/** Azure's `content_filter_results` object for one text. */
export type ContentFilterResults = Record<string, unknown>;

/** One text's verdict: Azure's results object, and whether a blocking rule fired. */
export interface Screened {
  results: ContentFilterResults;
  filtered: boolean;
}
