import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { REGEX_MAX_MATCH, REGEX_WINDOW, regexProblem, regexWindows } from "../../src/core/safe-regex.ts";
import { compileBlocklists, tokenize } from "../../src/inference/content-filter/blocklist-matcher.ts";
import { builtinClassifier, classifyMarkers } from "../../src/inference/content-filter/builtin-classifier.ts";
import { filterChatStream } from "../../src/inference/content-filter/filter-stream.ts";
import { severityOfScore } from "../../src/inference/content-filter/moderation-classifier.ts";
import { compilePolicy, filterCategoryOf } from "../../src/inference/content-filter/policy.ts";
import { screenTexts } from "../../src/inference/content-filter/screen.ts";
import type { RaiPolicySource } from "../../src/inference/content-filter/types.ts";
import type { Json } from "../harness/clients.ts";

const harm = (name: string, source: string, severityThreshold = "Medium", blocking = true) => ({
  name,
  enabled: true,
  blocking,
  severityThreshold,
  source,
});

const policySource = (over: Partial<RaiPolicySource> = {}): RaiPolicySource => ({
  name: "p",
  mode: "Default",
  contentFilters: [
    ...["Hate", "Sexual", "Selfharm", "Violence"].flatMap((n) => [harm(n, "Prompt"), harm(n, "Completion")]),
    { name: "Jailbreak", enabled: true, blocking: true, source: "Prompt" },
    { name: "Profanity", enabled: true, blocking: false, source: "Completion" },
  ],
  customBlocklists: [],
  revision: "1",
  ...over,
});

test("the built-in classifier rates each category at each severity by its marker word, the highest winning", () => {
  for (const category of ["hate", "sexual", "violence", "self_harm"] as const) {
    for (const severity of ["low", "medium", "high"] as const) {
      const rated = classifyMarkers(`some text cf-${category}-${severity}, more`);
      assert.equal(rated.harms[category], severity);
      for (const other of ["hate", "sexual", "violence", "self_harm"] as const)
        if (other !== category) assert.equal(rated.harms[other], "safe");
    }
  }
  assert.equal(classifyMarkers("CF-HATE-LOW and cf-hate-high and cf-hate-medium").harms.hate, "high");
  for (const detection of ["jailbreak", "indirect_attack", "profanity", "protected_material_text", "protected_material_code"] as const)
    assert.ok(classifyMarkers(`x cf-${detection}`).detected.has(detection));
  // Not a marker: inside a longer word, an unknown category, a detection given a severity.
  const clean = classifyMarkers("xcf-hate-high cf-gossip-high cf-jailbreak-high cf-hate");
  assert.deepEqual(clean.harms, { hate: "safe", sexual: "safe", violence: "safe", self_harm: "safe" });
  assert.equal(clean.detected.size, 0);
});

test("a severity threshold blocks at and above it; non-blocking rules only annotate; disabled ones are absent", async () => {
  const policy = compilePolicy(
    policySource({
      contentFilters: [
        harm("hate", "Prompt", "Low"),
        harm("Sexual", "Prompt", "High"),
        harm("violence", "Prompt", "Medium", false),
        { name: "selfharm", enabled: false, blocking: true, severityThreshold: "Low", source: "Prompt" },
      ],
    }),
    new Map(),
  );
  const filter = { policy, classifier: builtinClassifier };
  const [low, medium, high] = await screenTexts(filter, "prompt", ["cf-hate-low", "cf-sexual-medium cf-violence-high", "cf-sexual-high"]);
  assert.deepEqual(low!.results.hate, { filtered: true, severity: "low" });
  assert.ok(low!.filtered);
  assert.deepEqual(medium!.results.sexual, { filtered: false, severity: "medium" });
  assert.deepEqual(medium!.results.violence, { filtered: false, severity: "high" });
  assert.equal(medium!.filtered, false);
  assert.ok(high!.filtered);
  assert.equal("self_harm" in low!.results, false);
});

test("filter names are accepted in Azure's spellings", () => {
  assert.equal(filterCategoryOf("Selfharm"), "self_harm");
  assert.equal(filterCategoryOf("Protected Material Text"), "protected_material_text");
  assert.equal(filterCategoryOf("protected_material_code"), "protected_material_code");
  assert.equal(filterCategoryOf("Indirect Attack"), "indirect_attack");
  assert.equal(filterCategoryOf("gossip"), undefined);
});

test("blocklists: exact terms match case-insensitively on word boundaries; regex items anywhere; ids of the lists hit", () => {
  const matcher = compileBlocklists([
    {
      id: "names",
      items: [
        { name: "a", pattern: "Project Falcon", isRegex: false },
        { name: "b", pattern: "c++", isRegex: false },
      ],
    },
    { id: "tickets", items: [{ name: "t", pattern: "TKT-[0-9]{4}", isRegex: true }] },
  ]);
  assert.deepEqual(matcher.match("about PROJECT   falcon."), ["names"]);
  assert.deepEqual(matcher.match("projectfalcon, project falcons"), []);
  assert.deepEqual(matcher.match("I write C++ daily"), ["names"]);
  assert.deepEqual(matcher.match("see tkt-0042 and project falcon"), ["names", "tickets"]);
  assert.deepEqual(matcher.match(""), []);
  assert.deepEqual(tokenize("Héllo, wörld_1!"), ["héllo", ",", "wörld_1", "!"]);
  // Items that could not share one alternation (the same named group twice) still each match.
  const named = compileBlocklists([
    {
      id: "n",
      items: [
        { name: "a", pattern: "(?<x>foo)", isRegex: true },
        { name: "b", pattern: "(?<x>bar)\\d", isRegex: true },
      ],
    },
  ]);
  assert.deepEqual(named.match("bar7"), ["n"]);
  assert.deepEqual(named.match("bar"), []);
});

test("a 10,000-term blocklist finds a term at the end of a long text, and misses when the term is absent", () => {
  const items = Array.from({ length: 10_000 }, (_, i) => ({ name: `t${i}`, pattern: `term${i} word${i % 7}`, isRegex: false }));
  const matcher = compileBlocklists([{ id: "big", items }]);
  const text = `${"lorem ipsum dolor ".repeat(2000)} TERM9999 word3`;
  assert.deepEqual(matcher.match(text), ["big"]);
  assert.deepEqual(matcher.match(`${"lorem ipsum dolor ".repeat(2000)} term9999 word4`), []);
});

test("regex admission refuses nested repetition, backreferences, lookarounds, empty matches and costly repetition", () => {
  for (const bad of [
    "(a+)+$",
    "(a|aa)*",
    "(\\w+\\s?)*x",
    "(x)\\1",
    "(?<n>a)\\k<n>",
    "a(?=b)",
    "(?<!a)b",
    "a*",
    "[",
    ".*.*x",
    "a{1,100}b{1,100}",
  ])
    assert.ok(regexProblem(bad, 1000), `refused: ${bad}`);
  for (const good of ["TKT-[0-9]{4}", "^[a-z0-9_-]{2,16}$", "bad\\s+word", "(?:foo|bar)baz", "colou?r", "(ab)+c"])
    assert.equal(regexProblem(good, 1000), undefined, good);
  assert.match(regexProblem("x".repeat(11), 10)!, /longer than 10/);
});

test("property: admission never throws, and an admitted regex scans any text in bounded windows without throwing", () => {
  const alphabet = fc.constantFrom(..."ab()|*+?{}[]^$.\\1-,:=!<>kw0s".split(""));
  fc.assert(
    fc.property(
      fc.array(alphabet, { maxLength: 24 }).map((a) => a.join("")),
      fc.string({ maxLength: 2000 }),
      (pattern, text) => {
        const problem = regexProblem(pattern, 100);
        if (problem !== undefined) return;
        const matcher = compileBlocklists([{ id: "r", items: [{ name: "r", pattern, isRegex: true }] }]);
        const hits = matcher.match(text);
        assert.ok(hits.length <= 1);
      },
    ),
    { numRuns: 2000 },
  );
});

test("property: the windows cover every match up to REGEX_MAX_MATCH characters", () => {
  fc.assert(
    fc.property(fc.nat({ max: 5000 }), fc.nat({ max: REGEX_MAX_MATCH }), (start, length) => {
      const text = `${"x".repeat(start)}${"y".repeat(length)}${"x".repeat(700)}`;
      const windows = [...regexWindows(text)];
      assert.ok(windows.every((w) => w.length <= REGEX_WINDOW));
      if (length > 0) assert.ok(windows.some((w) => w.includes("y".repeat(length))));
    }),
    { numRuns: 300 },
  );
});

test("property: screening never throws on any text and always reports every enabled category", async () => {
  const filter = {
    policy: compilePolicy(
      policySource({ customBlocklists: [{ blocklistName: "L", blocking: true, source: "Prompt" }] }),
      new Map([["l", [{ name: "i", pattern: "zz", isRegex: false }]]]),
    ),
    classifier: builtinClassifier,
  };
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 500, unit: "grapheme" }), async (text) => {
      const [prompt] = await screenTexts(filter, "prompt", [text]);
      assert.deepEqual(Object.keys(prompt!.results).sort(), ["custom_blocklists", "hate", "jailbreak", "self_harm", "sexual", "violence"]);
      const [completion] = await screenTexts(filter, "completion", [text]);
      assert.ok("profanity" in completion!.results);
    }),
    { numRuns: 300 },
  );
});

test("moderation scores map onto Azure's severities", () => {
  assert.equal(severityOfScore(0), "safe");
  assert.equal(severityOfScore(0.05), "safe");
  assert.equal(severityOfScore(0.2), "low");
  assert.equal(severityOfScore(0.5), "medium");
  assert.equal(severityOfScore(0.95), "high");
  assert.equal(severityOfScore(Number.NaN), "safe");
});

async function* chunksOf(texts: string[]) {
  for (const [i, content] of texts.entries()) {
    yield JSON.stringify({
      id: "c1",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    });
    if (i === texts.length - 1)
      yield JSON.stringify({
        id: "c1",
        object: "chat.completion.chunk",
        created: 1,
        model: "m",
        choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
      });
  }
}

test("a held stream never lets filtered text out; an asynchronous one annotates after the fact", async () => {
  const parts = ["x".repeat(60), " cf-violence-high ", "y".repeat(60), "z"];
  const held = { policy: compilePolicy(policySource(), new Map()), classifier: builtinClassifier };
  const out: Json[] = [];
  for await (const chunk of filterChatStream(held, [], chunksOf(parts))) out.push(JSON.parse(chunk));
  assert.deepEqual(out[0]!.choices, []);
  const text = out.map((c) => c.choices[0]?.delta?.content ?? "").join("");
  assert.ok(!text.includes("cf-violence"), text);
  assert.equal(out.at(-1)!.choices[0].finish_reason, "content_filter");

  const asyncFilter = { policy: compilePolicy(policySource({ mode: "Asynchronous_filter" }), new Map()), classifier: builtinClassifier };
  const outAsync: Json[] = [];
  for await (const chunk of filterChatStream(asyncFilter, [], chunksOf(["hello ", "world"]))) outAsync.push(JSON.parse(chunk));
  const annotations = outAsync.filter((c) => c.choices[0]?.content_filter_offsets);
  assert.ok(annotations.length >= 1);
  assert.deepEqual(annotations.at(-1)!.choices[0].content_filter_offsets, { check_offset: 0, start_offset: 0, end_offset: 11 });
  assert.equal(outAsync.at(-1)!.choices[0].finish_reason, null);
});
