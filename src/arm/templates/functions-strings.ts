/** String functions (ARM's "String functions" page). */
import { randomUUID } from "node:crypto";
import { ExpressionError } from "./errors.ts";
import type { FunctionSpec } from "./evaluator.ts";
import { arr, checkLength, fail, int, str, strOrArr } from "./function-args.ts";
import { armGuid, uniqueString } from "./hashes.ts";
import { deepEqual, toArmString } from "./values.ts";

const MANY = Number.POSITIVE_INFINITY;

function strings(fn: string, args: unknown[]): string[] {
  return args.map((a, i) => {
    if (typeof a !== "string") return str(fn, args, i);
    return a;
  });
}

/** .NET composite formatting: `{0}`, `{0,-8}`, `{0:D3}`, `{{` and `}}`. */
function formatComposite(format: string, values: unknown[], maxLength: number): string {
  let out = "";
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    if (ch === "{" && format[i + 1] === "{") {
      out += "{";
      i += 2;
    } else if (ch === "}" && format[i + 1] === "}") {
      out += "}";
      i += 2;
    } else if (ch === "{") {
      const end = format.indexOf("}", i);
      if (end < 0) fail(`The format string '${format}' is not valid: '{' is not closed.`);
      const item = /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/s.exec(format.slice(i + 1, end));
      if (!item) fail(`The format string '${format}' is not valid: '${format.slice(i, end + 1)}' is not a format item.`);
      const index = Number(item[1]);
      if (index >= values.length) fail(`The format string '${format}' refers to argument ${index}, but only ${values.length} were given.`);
      let text = formatValue(values[index], item[3]);
      const width = item[2] === undefined ? 0 : Number(item[2]);
      if (Math.abs(width) > maxLength)
        fail(`The format item '${format.slice(i, end + 1)}' asks for a width above the limit of ${maxLength}.`);
      if (Math.abs(width) > text.length) text = width > 0 ? text.padStart(width) : text.padEnd(-width);
      out += text;
      i = end + 1;
    } else if (ch === "}") {
      fail(`The format string '${format}' is not valid: '}' at position ${i} is not escaped.`);
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function formatValue(value: unknown, spec: string | undefined): string {
  if (spec === undefined || spec === "" || typeof value !== "number") return toArmString(value);
  const m = /^([DdXxNn])(\d*)$/.exec(spec);
  if (!m) return toArmString(value);
  const digits = m[2] === "" ? undefined : Math.min(Number(m[2]), 99);
  switch (m[1]) {
    case "D":
    case "d":
      return (value < 0 ? "-" : "") + String(Math.abs(value)).padStart(digits ?? 0, "0");
    case "X":
    case "x": {
      const hex = (value >>> 0).toString(16).padStart(digits ?? 0, "0");
      return m[1] === "X" ? hex.toUpperCase() : hex;
    }
    default:
      return value.toLocaleString("en-US", { minimumFractionDigits: digits ?? 2, maximumFractionDigits: digits ?? 2 });
  }
}

function base64Decode(fn: string, value: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0)
    fail(`The template language function '${fn}' got a value that is not valid base64.`);
  return Buffer.from(value, "base64").toString("utf8");
}

function utcFormat(date: Date, format: string): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  const standard: Record<string, string> = {
    u: "yyyy-MM-dd HH:mm:ssZ",
    s: "yyyy-MM-ddTHH:mm:ss",
    d: "M/d/yyyy",
    o: "yyyy-MM-ddTHH:mm:ss.fffffffZ",
  };
  const pattern = standard[format] ?? format;
  const tokens: Record<string, () => string> = {
    yyyy: () => pad(date.getUTCFullYear(), 4),
    fffffff: () => pad(date.getUTCMilliseconds(), 3).padEnd(7, "0"),
    MM: () => pad(date.getUTCMonth() + 1),
    dd: () => pad(date.getUTCDate()),
    HH: () => pad(date.getUTCHours()),
    mm: () => pad(date.getUTCMinutes()),
    ss: () => pad(date.getUTCSeconds()),
    M: () => String(date.getUTCMonth() + 1),
    d: () => String(date.getUTCDate()),
  };
  let out = "";
  let i = 0;
  outer: while (i < pattern.length) {
    for (const token of Object.keys(tokens)) {
      if (pattern.startsWith(token, i)) {
        out += tokens[token]!();
        i += token.length;
        continue outer;
      }
    }
    out += pattern[i];
    i++;
  }
  return out;
}

export const STRING_FUNCTIONS: Record<string, FunctionSpec> = {
  format: { minArgs: 1, maxArgs: MANY, run: (a, env) => formatComposite(str("format", a, 0), a.slice(1), env.maxStringLength) },
  guid: { minArgs: 1, maxArgs: MANY, run: (a) => armGuid(strings("guid", a)) },
  uniquestring: { minArgs: 1, maxArgs: MANY, run: (a) => uniqueString(strings("uniqueString", a)) },
  tolower: { minArgs: 1, maxArgs: 1, run: (a) => str("toLower", a, 0).toLowerCase() },
  toupper: { minArgs: 1, maxArgs: 1, run: (a) => str("toUpper", a, 0).toUpperCase() },
  trim: { minArgs: 1, maxArgs: 1, run: (a) => str("trim", a, 0).trim() },
  replace: {
    minArgs: 3,
    maxArgs: 3,
    run: (a, env) => {
      const value = str("replace", a, 0);
      const from = str("replace", a, 1);
      const to = str("replace", a, 2);
      if (from === "") fail("The template language function 'replace' cannot replace an empty string.");
      const growth = (value.split(from).length - 1) * (to.length - from.length);
      checkLength("replace", value.length + growth, env.maxStringLength);
      return value.replaceAll(from, to);
    },
  },
  split: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) => {
      const value = str("split", a, 0);
      const delimiters = Array.isArray(a[1]) ? a[1].map((_, i) => str("split", a[1] as unknown[], i)) : [str("split", a, 1)];
      const parts: string[] = [];
      let start = 0;
      let i = 0;
      while (i <= value.length) {
        const d = delimiters.find((x) => x !== "" && value.startsWith(x, i));
        if (d !== undefined) {
          parts.push(value.slice(start, i));
          i += d.length;
          start = i;
        } else {
          i++;
        }
      }
      parts.push(value.slice(start));
      return parts;
    },
  },
  substring: {
    minArgs: 2,
    maxArgs: 3,
    run: (a) => {
      const value = str("substring", a, 0);
      const start = int("substring", a, 1);
      const length = a.length > 2 ? int("substring", a, 2) : value.length - start;
      if (start < 0 || start > value.length)
        fail(
          `The index parameter '${start}' of the template language function 'substring' is out of range for the string of length ${value.length}.`,
        );
      if (length < 0 || start + length > value.length)
        fail(
          `The length parameter '${length}' of the template language function 'substring' is out of range: the index plus the length exceeds the string length ${value.length}.`,
        );
      return value.slice(start, start + length);
    },
  },
  indexof: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) =>
      Array.isArray(a[0])
        ? a[0].findIndex((v) => deepEqual(v, a[1]))
        : str("indexOf", a, 0)
            .toLowerCase()
            .indexOf(str("indexOf", a, 1).toLowerCase()),
  },
  lastindexof: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) =>
      Array.isArray(a[0])
        ? a[0].findLastIndex((v) => deepEqual(v, a[1]))
        : str("lastIndexOf", a, 0)
            .toLowerCase()
            .lastIndexOf(str("lastIndexOf", a, 1).toLowerCase()),
  },
  startswith: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) =>
      str("startsWith", a, 0)
        .toLowerCase()
        .startsWith(str("startsWith", a, 1).toLowerCase()),
  },
  endswith: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) =>
      str("endsWith", a, 0)
        .toLowerCase()
        .endsWith(str("endsWith", a, 1).toLowerCase()),
  },
  padleft: {
    minArgs: 2,
    maxArgs: 3,
    run: (a, env) => {
      const value = typeof a[0] === "number" ? String(a[0]) : str("padLeft", a, 0);
      const total = int("padLeft", a, 1);
      checkLength("padLeft", total, env.maxStringLength);
      const pad = a.length > 2 ? str("padLeft", a, 2) : " ";
      if (pad.length !== 1) fail("The template language function 'padLeft' expects a single padding character.");
      return value.padStart(total, pad);
    },
  },
  string: { minArgs: 1, maxArgs: 1, run: (a) => toArmString(a[0]) },
  base64: { minArgs: 1, maxArgs: 1, run: (a) => Buffer.from(str("base64", a, 0), "utf8").toString("base64") },
  base64tostring: { minArgs: 1, maxArgs: 1, run: (a) => base64Decode("base64ToString", str("base64ToString", a, 0)) },
  base64tojson: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) => parseJsonText("base64ToJson", base64Decode("base64ToJson", str("base64ToJson", a, 0))),
  },
  uri: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) => {
      try {
        return new URL(str("uri", a, 1), str("uri", a, 0)).toString();
      } catch {
        return fail(`The template language function 'uri' got a base URI '${String(a[0])}' that is not an absolute URI.`);
      }
    },
  },
  uricomponent: { minArgs: 1, maxArgs: 1, run: (a) => encodeURIComponent(str("uriComponent", a, 0)) },
  uricomponenttostring: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) => {
      try {
        return decodeURIComponent(str("uriComponentToString", a, 0));
      } catch {
        return fail("The template language function 'uriComponentToString' got a value that is not a valid encoded URI component.");
      }
    },
  },
  datauri: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) => `data:text/plain;charset=utf8;base64,${Buffer.from(str("dataUri", a, 0), "utf8").toString("base64")}`,
  },
  datauritostring: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) => {
      const m = /^data:[^,]*?(;base64)?,(.*)$/s.exec(str("dataUriToString", a, 0));
      if (!m) return fail("The template language function 'dataUriToString' got a value that is not a data URI.");
      return m[1] ? base64Decode("dataUriToString", m[2]!) : decodeURIComponent(m[2]!);
    },
  },
  json: { minArgs: 1, maxArgs: 1, run: (a) => parseJsonText("json", str("json", a, 0)) },
  join: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) =>
      arr("join", a, 0)
        .map((v) => toArmString(v))
        .join(str("join", a, 1)),
  },
  utcnow: {
    minArgs: 0,
    maxArgs: 1,
    run: (a, env) => {
      if (env.site !== "parameterDefault")
        fail("The template function 'utcNow' is not expected at this location. It can only be used in the default value of a parameter.");
      return utcFormat(env.now(), a.length > 0 ? str("utcNow", a, 0) : "yyyyMMddTHHmmssZ");
    },
  },
  newguid: {
    minArgs: 0,
    maxArgs: 0,
    run: (_a, env) => {
      if (env.site !== "parameterDefault")
        fail("The template function 'newGuid' is not expected at this location. It can only be used in the default value of a parameter.");
      return randomUUID();
    },
  },
  datetimefromepoch: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) => {
      const seconds = int("dateTimeFromEpoch", a, 0);
      const date = new Date(seconds * 1000);
      if (Number.isNaN(date.getTime()))
        fail(`The template language function 'dateTimeFromEpoch' got '${seconds}', which is not a valid epoch time.`);
      return date.toISOString().replace(/\.\d{3}Z$/, "Z");
    },
  },
  datetimetoepoch: {
    minArgs: 1,
    maxArgs: 1,
    run: (a) => {
      const text = str("dateTimeToEpoch", a, 0);
      const ms = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(text)
        ? Date.parse(text.replace(" ", "T"))
        : Number.NaN;
      if (Number.isNaN(ms)) fail(`The template language function 'dateTimeToEpoch' got '${text}', which is not an ISO 8601 date and time.`);
      return Math.floor(ms / 1000);
    },
  },
  // Shared with arrays: implemented here because the string case needs the string rules.
  take: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) => {
      const v = strOrArr("take", a, 0);
      const n = Math.max(0, int("take", a, 1));
      return v.slice(0, n);
    },
  },
  skip: {
    minArgs: 2,
    maxArgs: 2,
    run: (a) => {
      const v = strOrArr("skip", a, 0);
      const n = Math.max(0, int("skip", a, 1));
      return v.slice(n);
    },
  },
};

function parseJsonText(fn: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ExpressionError(`The template language function '${fn}' got a value that is not valid JSON.`);
  }
}
