import { type BlocklistMatcher, compileBlocklists } from "./blocklist-matcher.ts";
import {
  type BlocklistItemSource,
  type Detection,
  DETECTIONS,
  type FilterSource,
  HARM_CATEGORIES,
  type HarmCategory,
  type RaiPolicySource,
  type Severity,
} from "./types.ts";

/** How a stream is screened: `Asynchronous_filter` passes text on at once; the other modes hold it until screened. */
type StreamMode = "held" | "asynchronous";

export interface SourcePolicy {
  harms: ReadonlyArray<{ category: HarmCategory; blocking: boolean; threshold: Severity }>;
  detections: ReadonlyArray<{ category: Detection; blocking: boolean }>;
  lists: ReadonlyArray<{ id: string; blocking: boolean }>;
  matcher: BlocklistMatcher | undefined;
}

/** A policy ready to screen texts: per source, the enabled rules and one compiled matcher over its blocklists. */
export interface ContentPolicy {
  name: string;
  revision: string;
  streamMode: StreamMode;
  prompt: SourcePolicy;
  completion: SourcePolicy;
}

/** Azure spells filter names several ways (`Selfharm`, `selfharm`, `Protected Material Text`, `protected_material_code`). */
export function filterCategoryOf(name: string): HarmCategory | Detection | undefined {
  const key = name.toLowerCase().replace(/[\s_-]/g, "");
  const all: ReadonlyArray<HarmCategory | Detection> = [...HARM_CATEGORIES, ...DETECTIONS];
  return all.find((c) => c.replace(/_/g, "") === key);
}

const THRESHOLDS: Readonly<Record<string, Severity>> = { low: "low", medium: "medium", high: "high" };

function sourceOf(value: string): FilterSource | undefined {
  const v = value.toLowerCase();
  return v === "prompt" || v === "completion" ? v : undefined;
}

/** Compiles a stored policy and the items of the blocklists it names (by blocklist name). */
export function compilePolicy(source: RaiPolicySource, items: ReadonlyMap<string, readonly BlocklistItemSource[]>): ContentPolicy {
  const build = (which: FilterSource): SourcePolicy => {
    const harms: Array<SourcePolicy["harms"][number]> = [];
    const detections: Array<SourcePolicy["detections"][number]> = [];
    for (const filter of source.contentFilters) {
      if (sourceOf(filter.source) !== which || filter.enabled === false) continue;
      const category = filterCategoryOf(filter.name);
      if (!category) continue;
      const blocking = filter.blocking !== false;
      if ((HARM_CATEGORIES as readonly string[]).includes(category)) {
        const threshold = THRESHOLDS[(filter.severityThreshold ?? "medium").toLowerCase()] ?? "medium";
        harms.push({ category: category as HarmCategory, blocking, threshold });
      } else detections.push({ category: category as Detection, blocking });
    }
    const refs = source.customBlocklists.filter((b) => sourceOf(b.source) === which);
    const lists = refs.map((b) => ({ id: b.blocklistName, blocking: b.blocking !== false }));
    const matcher =
      refs.length === 0
        ? undefined
        : compileBlocklists(refs.map((b) => ({ id: b.blocklistName, items: items.get(b.blocklistName.toLowerCase()) ?? [] })));
    return { harms, detections, lists, matcher };
  };
  return {
    name: source.name,
    revision: source.revision,
    streamMode: source.mode.toLowerCase() === "asynchronous_filter" ? "asynchronous" : "held",
    prompt: build("prompt"),
    completion: build("completion"),
  };
}
