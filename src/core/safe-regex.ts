/**
 * Admission of user-supplied regular expressions (content-filter blocklist items), so that no accepted pattern can
 * backtrack catastrophically. JavaScript's engine backtracks, so the guard is structural: a pattern is refused when
 * it has backreferences or lookarounds, nests a quantifier (or an alternation) inside a quantified group (star height
 * above one: `(a+)+`, `(a|aa)*`), or when the product of its quantifiers' largest counts — an unbounded `*`, `+` or
 * `{n,}` counted as {@link REGEX_WINDOW} — exceeds {@link REGEX_COST_LIMIT}. Matching then runs over windows of at
 * most `REGEX_WINDOW` characters (`regexWindows`), so the work per window is bounded by the window times that cost.
 */

/** Characters one regex item is run over at a time; consecutive windows overlap by {@link REGEX_MAX_MATCH}. */
export const REGEX_WINDOW = 512;
/** The longest match a regex item is guaranteed to find (the windows' overlap). */
export const REGEX_MAX_MATCH = 128;
/** The largest product of quantifier counts a pattern may have (one unbounded quantifier times a `{1,8}`). */
const REGEX_COST_LIMIT = 4096;

/** Why `pattern` is refused, or undefined when it is accepted. */
export function regexProblem(pattern: string, maxLength: number): string | undefined {
  if (pattern.length === 0) return "the pattern is empty";
  if (pattern.length > maxLength) return `the pattern is longer than ${maxLength} characters`;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "iu");
  } catch (err) {
    return `it is not a valid regular expression (${(err as Error).message})`;
  }
  const problem = structureProblem(pattern);
  if (problem) return problem;
  if (regex.test("")) return "it matches the empty text (so it would match everything)";
  return undefined;
}

interface Group {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

function structureProblem(p: string): string | undefined {
  const stack: Group[] = [{ hasQuantifier: false, hasAlternation: false }];
  let cost = 1;
  let i = 0;
  // The group that just closed, when the next token could quantify it.
  let closed: Group | undefined;
  while (i < p.length) {
    const c = p[i]!;
    if (c === "\\") {
      const next = p[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") return "backreferences are not allowed";
      i += next === "u" && p[i + 2] === "{" ? p.indexOf("}", i) + 1 || p.length : 2;
      closed = undefined;
      continue;
    }
    if (c === "[") {
      i = classEnd(p, i);
      closed = undefined;
      continue;
    }
    if (c === "(") {
      if (p.startsWith("(?=", i) || p.startsWith("(?!", i) || p.startsWith("(?<=", i) || p.startsWith("(?<!", i))
        return "lookahead and lookbehind are not allowed";
      stack.push({ hasQuantifier: false, hasAlternation: false });
      i += p.startsWith("(?:", i) ? 3 : p.startsWith("(?<", i) ? p.indexOf(">", i) + 1 : 1;
      closed = undefined;
      continue;
    }
    if (c === ")") {
      const group = stack.length > 1 ? stack.pop()! : undefined;
      if (group) {
        const parent = stack[stack.length - 1]!;
        parent.hasQuantifier ||= group.hasQuantifier;
      }
      closed = group;
      i += 1;
      continue;
    }
    if (c === "|") {
      stack[stack.length - 1]!.hasAlternation = true;
      closed = undefined;
      i += 1;
      continue;
    }
    const quantifier = quantifierAt(p, i);
    if (quantifier) {
      if (closed && quantifier.max > 1 && (closed.hasQuantifier || closed.hasAlternation))
        return "a quantified group may not contain another quantifier or an alternation (nested repetition)";
      stack[stack.length - 1]!.hasQuantifier = true;
      cost *= Math.max(1, quantifier.max);
      if (cost > REGEX_COST_LIMIT)
        return `its repetitions are too costly (the product of the quantifiers' counts exceeds ${REGEX_COST_LIMIT}, an unbounded one counting as ${REGEX_WINDOW})`;
      i += quantifier.length;
      closed = undefined;
      continue;
    }
    closed = undefined;
    i += 1;
  }
  return undefined;
}

function classEnd(p: string, start: number): number {
  let i = start + 1;
  while (i < p.length && p[i] !== "]") i += p[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** The quantifier at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, with an optional lazy `?`), or undefined. */
function quantifierAt(p: string, i: number): { max: number; length: number } | undefined {
  const c = p[i];
  let max: number;
  let length: number;
  if (c === "*" || c === "+") [max, length] = [REGEX_WINDOW, 1];
  else if (c === "?") [max, length] = [1, 1];
  else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 24));
    if (!m) return undefined;
    const low = Number(m[1]);
    max = m[2] === undefined ? low : m[3] === "" ? REGEX_WINDOW : Number(m[3]);
    length = m[0].length;
  } else return undefined;
  if (p[i + length] === "?") length += 1;
  return { max: Math.min(max, REGEX_WINDOW), length };
}

/** The windows an accepted pattern is run over: at most `REGEX_WINDOW` characters, overlapping by `REGEX_MAX_MATCH`. */
export function* regexWindows(text: string): Generator<string> {
  if (text.length <= REGEX_WINDOW) {
    yield text;
    return;
  }
  const step = REGEX_WINDOW - REGEX_MAX_MATCH;
  for (let start = 0; start < text.length; start += step) {
    yield text.slice(start, start + REGEX_WINDOW);
    if (start + REGEX_WINDOW >= text.length) return;
  }
}
