import { dataPlaneError } from "../data-plane-errors.ts";
import { lazyPool } from "../lazy-undici.ts";
import { classifyMarkers } from "./builtin-classifier.ts";
import { type Classification, type ContentClassifier, type HarmCategory, SEVERITY_RANK, type Severity } from "./types.ts";

interface ModerationOptions {
  /** The endpoint's URL: `…/v1/moderations` (OpenAI, or any server that answers its shape). */
  url: string;
  apiKey: string | undefined;
  model: string | undefined;
  timeoutMs: number;
  /** `open`: an unanswered call is rated by the built-in markers only (and reported); `closed`: the call fails (503). */
  failure: "open" | "closed";
  onFailure?: ((err: unknown) => void) | undefined;
}

/** OpenAI moderation categories → Azure's harm categories (the highest score of a category's members counts). */
const CATEGORY_MAP: Readonly<Record<string, HarmCategory>> = {
  hate: "hate",
  "hate/threatening": "hate",
  harassment: "hate",
  "harassment/threatening": "violence",
  sexual: "sexual",
  "sexual/minors": "sexual",
  violence: "violence",
  "violence/graphic": "violence",
  "self-harm": "self_harm",
  "self-harm/intent": "self_harm",
  "self-harm/instructions": "self_harm",
};

/** A score (0–1) on Azure's severity scale: below 0.1 safe, then low, medium from 0.4, high from 0.7. */
export function severityOfScore(score: number): Severity {
  if (!(score >= 0.1)) return "safe";
  if (score >= 0.7) return "high";
  return score >= 0.4 ? "medium" : "low";
}

/**
 * An adapter for an external OpenAI-compatible moderation endpoint (`POST /v1/moderations` with `input: [texts]`).
 * Its harm scores are mapped to Azure's categories and severities (`severityOfScore`); the detections it does not
 * rate (jailbreak, profanity, protected material) and the built-in markers still come from `classifyMarkers`, the
 * higher severity of the two winning, so an application's marker-based tests keep working against it.
 */
export function moderationClassifier(options: ModerationOptions): ContentClassifier & { close(): Promise<void> } {
  const url = new URL(options.url);
  const pool = lazyPool(url.origin, { connections: 16, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  async function rate(texts: readonly string[], signal: AbortSignal | undefined): Promise<Array<Record<string, number>>> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const response = await pool.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers,
      body: JSON.stringify({ input: texts, ...(options.model ? { model: options.model } : {}) }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`moderation endpoint answered ${response.statusCode}`);
    const body = JSON.parse(text) as { results?: Array<{ category_scores?: Record<string, unknown> }> };
    if (!Array.isArray(body.results) || body.results.length !== texts.length)
      throw new Error("moderation endpoint answered without one result per input");
    return body.results.map((r) =>
      Object.fromEntries(Object.entries(r.category_scores ?? {}).filter((e): e is [string, number] => typeof e[1] === "number")),
    );
  }

  return {
    kind: "moderation",
    async classify(texts, signal) {
      const marked = texts.map(classifyMarkers);
      if (texts.length === 0) return marked;
      let scores: Array<Record<string, number>>;
      try {
        scores = await rate(texts, signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        options.onFailure?.(err);
        if (options.failure === "open") return marked;
        throw dataPlaneError("ContentFilterUnavailable");
      }
      return marked.map((classification, i) => merge(classification, scores[i]!));
    },
    close: () => pool.close(),
  };
}

function merge(classification: Classification, scores: Record<string, number>): Classification {
  const harms = { ...classification.harms };
  for (const [name, score] of Object.entries(scores)) {
    const category = CATEGORY_MAP[name];
    if (!category) continue;
    const severity = severityOfScore(score);
    if (SEVERITY_RANK[severity] > SEVERITY_RANK[harms[category]]) harms[category] = severity;
  }
  return { harms, detected: classification.detected };
}
