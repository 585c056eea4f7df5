/**
 * Reads a template given as JSON text, keeping where each value starts so errors can say `at line '12' and column
 * '9'` as ARM does. Accepts the comments ARM accepts (`//` and `/* … *\/`). Linear in the text; nesting deeper
 * than `maxDepth` is refused before it can exhaust the stack.
 */
import { invalidTemplate } from "./errors.ts";

export interface TextPosition {
  line: number;
  column: number;
}

interface ParsedTemplateText {
  value: unknown;
  /** JSON path (as `pathOf` spells it) → where the value starts. */
  positions: Map<string, TextPosition>;
}

/** Spells a JSON path the way errors report it: `resources[1].properties['odd key']`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
  if (parent === "") return plain ? key : `['${key}']`;
  return plain ? `${parent}.${key}` : `${parent}['${key}']`;
}

/**
 * Paths longer than this keep no position (an error there names the path without line and column). Every value
 * under a long key has a path at least as long, and V8 hashes a string of 16,384 characters or more by its length
 * alone: an array of 30,000 numbers under a 30,000-character key (a 90 KB template) put 30,000 colliding keys in
 * the map, each compared in full, and parsing never finished.
 */
const MAX_POSITION_PATH = 1024;

export function parseTemplateText(text: string, maxDepth: number): ParsedTemplateText {
  const positions = new Map<string, TextPosition>();
  let index = 0;
  let line = 1;
  let lineStart = 0;

  const fail = (reason: string): never => {
    throw invalidTemplate(
      { path: "", line, column: index - lineStart + 1 },
      `Unable to parse the template text at line '${line}' and column '${index - lineStart + 1}': ${reason}`,
    );
  };

  const skipSpace = (): void => {
    while (index < text.length) {
      const ch = text.charCodeAt(index);
      if (ch === 10) {
        index++;
        line++;
        lineStart = index;
      } else if (ch === 32 || ch === 9 || ch === 13 || ch === 0xfeff) {
        index++;
      } else if (ch === 47 && text[index + 1] === "/") {
        while (index < text.length && text[index] !== "\n") index++;
      } else if (ch === 47 && text[index + 1] === "*") {
        const end = text.indexOf("*/", index + 2);
        if (end < 0) fail("the comment is not closed.");
        for (let i = index; i < end; i++) {
          if (text[i] === "\n") {
            line++;
            lineStart = i + 1;
          }
        }
        index = end + 2;
      } else {
        return;
      }
    }
  };

  const readString = (): string => {
    // index is at the opening quote
    let out = "";
    let start = ++index;
    for (;;) {
      if (index >= text.length) fail("the string is not closed.");
      const ch = text[index]!;
      if (ch === '"') {
        out += text.slice(start, index);
        index++;
        return out;
      }
      if (ch === "\n") fail("a string cannot span lines.");
      if (ch === "\\") {
        out += text.slice(start, index);
        const esc = text[index + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (esc !== undefined && simple[esc] !== undefined) {
          out += simple[esc];
          index += 2;
        } else if (esc === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(index + 2, index + 6), 16));
          index += 6;
        } else {
          fail("the escape sequence is not valid.");
        }
        start = index;
        continue;
      }
      index++;
    }
  };

  const readValue = (path: string, depth: number): unknown => {
    if (depth > maxDepth) fail(`the JSON nests deeper than ${maxDepth} levels.`);
    skipSpace();
    if (path.length <= MAX_POSITION_PATH) positions.set(path, { line, column: index - lineStart + 1 });
    const ch = text[index];
    if (ch === "{") {
      index++;
      const obj: Record<string, unknown> = {};
      skipSpace();
      if (text[index] === "}") {
        index++;
        return obj;
      }
      for (;;) {
        skipSpace();
        if (text[index] !== '"') fail("a property name is expected.");
        const key = readString();
        skipSpace();
        if (text[index] !== ":") fail("':' is expected after a property name.");
        index++;
        Object.defineProperty(obj, key, {
          value: readValue(childPath(path, key), depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        skipSpace();
        if (text[index] === ",") {
          index++;
          continue;
        }
        if (text[index] === "}") {
          index++;
          return obj;
        }
        fail("',' or '}' is expected.");
      }
    }
    if (ch === "[") {
      index++;
      const arr: unknown[] = [];
      skipSpace();
      if (text[index] === "]") {
        index++;
        return arr;
      }
      for (;;) {
        arr.push(readValue(childPath(path, arr.length), depth + 1));
        skipSpace();
        if (text[index] === ",") {
          index++;
          continue;
        }
        if (text[index] === "]") {
          index++;
          return arr;
        }
        fail("',' or ']' is expected.");
      }
    }
    if (ch === '"') return readString();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(index, index + 64));
    if (!literal) return fail("a JSON value is expected.");
    index += literal[0].length;
    if (literal[0] === "true") return true;
    if (literal[0] === "false") return false;
    if (literal[0] === "null") return null;
    return Number(literal[0]);
  };

  const value = readValue("", 0);
  skipSpace();
  if (index < text.length) fail("unexpected text after the template.");
  return { value, positions };
}
