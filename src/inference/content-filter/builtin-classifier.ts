import {
  type Classification,
  type ContentClassifier,
  type Detection,
  DETECTIONS,
  HARM_CATEGORIES,
  type HarmCategory,
  SEVERITY_RANK,
  type Severity,
} from "./types.ts";

/**
 * The built-in classifier: deterministic and offline, so an application's tests can trigger every category at every
 * severity. It rates nothing on its own; it reads marker words (docs/content-filtering.md):
 * `cf-<category>-<severity>` for the harm categories (`cf-hate-low`, `cf-violence-high`, `cf-self_harm-medium`, …)
 * and `cf-<detection>` for the detections (`cf-jailbreak`, `cf-indirect_attack`, `cf-profanity`,
 * `cf-protected_material_text`, `cf-protected_material_code`). Case is ignored; the highest severity named wins.
 */
const MARKER = /\bcf-([a-z_]+)(?:-(low|medium|high))?\b/gi;
const HARMS = new Set<string>(HARM_CATEGORIES);
const DETECTION_NAMES = new Set<string>(DETECTIONS);

export function safeClassification(): Classification {
  return { harms: { hate: "safe", sexual: "safe", violence: "safe", self_harm: "safe" }, detected: new Set() };
}

export function classifyMarkers(text: string): Classification {
  const harms: Record<HarmCategory, Severity> = { hate: "safe", sexual: "safe", violence: "safe", self_harm: "safe" };
  const detected = new Set<Detection>();
  for (const [, rawName, rawSeverity] of text.matchAll(MARKER)) {
    const name = rawName!.toLowerCase();
    if (HARMS.has(name) && rawSeverity) {
      const severity = rawSeverity.toLowerCase() as Severity;
      const category = name as HarmCategory;
      if (SEVERITY_RANK[severity] > SEVERITY_RANK[harms[category]]) harms[category] = severity;
    } else if (DETECTION_NAMES.has(name) && !rawSeverity) detected.add(name as Detection);
  }
  return { harms, detected };
}

export const builtinClassifier: ContentClassifier = {
  kind: "builtin",
  classify: async (texts) => texts.map(classifyMarkers),
};
