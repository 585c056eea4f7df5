import jmespath from "jmespath";
import { stringify as toYaml } from "yaml";
import { CliError, UsageError } from "./cli-error.ts";
import { pythonStr, tableText } from "./table.ts";

export const OUTPUT_FORMATS = ["json", "jsonc", "tsv", "table", "yaml", "csv", "jsonl", "none"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `compile` is exported by jmespath.js but missing from its type declarations. */
const parser = jmespath as unknown as { compile(expression: string): unknown };

/** Rejects a syntactically malformed `--query` before the command runs (and before any request), as az does. */
export function checkQuery(query: string | undefined): void {
  if (query === undefined) return;
  try {
    parser.compile(query);
  } catch (err) {
    throw new UsageError(
      `argument --query: invalid jmespath_type value: '${query}' (${(err as Error).message}). See https://jmespath.org for the syntax.`,
    );
  }
}

/**
 * Objects as az's commands return them: plain Python dicts, which knack's TSV prints in sorted key order, while the
 * objects a `--query` builds are ordered dicts printed in the query's order.
 */
const commandDicts = new WeakSet<object>();

/**
 * What az does to every command's result before `--query` (azure/cli/core/commands/transform.py): an object whose
 * `id` is a resource id under a resource group gains `resourceGroup` (the group's name as the id spells it), at any
 * depth. The copy's objects are marked as command results (see `commandDicts`).
 */
export function azResult(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(azResult);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).map(([key, inner]) => [key, key === "sourceVault" ? inner : azResult(inner)] as const);
  const group = resourceGroupOf(value as Record<string, unknown>);
  if (group !== undefined) entries.push(["resourceGroup", group]);
  const copy = Object.fromEntries(entries);
  commandDicts.add(copy);
  return copy;
}

/** az's `_parse_id`: `/subscriptions/S/resourceGroups/RG/providers/NS/type/name[/...]` names RG (parts[3] checked, parts[8] required). */
function resourceGroupOf(object: Record<string, unknown>): string | undefined {
  if (Object.keys(object).some((key) => key.toLowerCase() === "resourcegroup")) return undefined;
  const id = object.id;
  if (typeof id !== "string" || id === "") return undefined;
  const parts = id.split("/");
  if (parts.length < 9 || parts[3]!.toLowerCase() !== "resourcegroups") return undefined;
  return parts[4];
}

/** Applies `--query` (JMESPath, as az) to a command's result; a type error at run time is the query's fault too. */
export function applyQuery(data: unknown, query: string | undefined): unknown {
  if (query === undefined) return data;
  checkQuery(query);
  try {
    return jmespath.search(data, query) as unknown;
  } catch (err) {
    throw new CliError(`The query '${query}' cannot be applied to the result: ${(err as Error).message}`, { code: "QueryFailed" });
  }
}

/**
 * Renders a result in one of az's output formats (knack's output.py); ends with a newline unless empty.
 * `sortTableKeys`: az sorts the automatic table's columns when neither a query nor a table transform chose them.
 */
export function render(data: unknown, format: OutputFormat, options: { sortTableKeys?: boolean } = {}): string {
  if (data === undefined || format === "none") return "";
  switch (format) {
    case "json":
      return `${JSON.stringify(sortedKeys(data), null, 2)}\n`;
    case "jsonc":
      return `${colorJson(sortedKeys(data), "")}\n`;
    case "yaml":
      return toYaml(data, { sortMapEntries: true, indentSeq: false });
    case "tsv":
      return tsv(data);
    case "table":
      return tableText(options.sortTableKeys ? sortedKeys(data) : data);
    case "csv":
      return csv(data);
    case "jsonl":
      // JSON lines (a Keyless addition, for exports): one compact JSON value per item of a list.
      return (Array.isArray(data) ? data : [data]).map((item) => `${JSON.stringify(item)}\n`).join("");
  }
}

/** az prints JSON and YAML with sorted keys (`json.dumps(sort_keys=True)`), the objects a query built included. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort(byCodePoint)
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

const COLORS = { key: "\x1b[94m", string: "\x1b[32m", number: "\x1b[36m", literal: "\x1b[95m", reset: "\x1b[0m" };

function colorJson(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${colorJson(v, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${inner}${COLORS.key}${JSON.stringify(k)}${COLORS.reset}: ${colorJson(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  const color = typeof value === "string" ? COLORS.string : typeof value === "number" ? COLORS.number : COLORS.literal;
  return `${color}${JSON.stringify(value)}${COLORS.reset}`;
}

/**
 * knack's `_TsvOutput`: one line per item of a list result. An object row prints its values and a list row its
 * items, tab-separated; inside a row a nested list prints its length and a nested object nothing. A bare boolean
 * row is lowercase, a boolean cell is Python's `True`/`False`, null is `None`.
 */
function tsv(data: unknown): string {
  const rows = Array.isArray(data) ? data : [data];
  return rows.map((row) => `${tsvRow(row)}\n`).join("");
}

function tsvRow(row: unknown): string {
  if (Array.isArray(row)) return row.map(pythonStr).join("\t");
  if (row !== null && typeof row === "object") {
    const keys = commandDicts.has(row) ? Object.keys(row).sort(byCodePoint) : Object.keys(row);
    return keys.map((key) => pythonStr((row as Record<string, unknown>)[key])).join("\t");
  }
  if (typeof row === "boolean") return String(row);
  return pythonStr(row);
}

/** Python's `sorted()` of strings. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The scalar fields of each row (a Keyless addition for spreadsheets; az has no csv). */
function scalarColumns(rows: readonly Record<string, unknown>[]): string[] {
  const columns: string[] = [];
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      if ((value === null || typeof value !== "object") && !columns.includes(key)) columns.push(key);
    }
  }
  return columns;
}

/** RFC 4180: a header of field names, then one line per row; cells with a comma, quote or line break are quoted. */
function csv(data: unknown): string {
  const rows = (Array.isArray(data) ? data : [data]).map(
    (row) => (row !== null && typeof row === "object" && !Array.isArray(row) ? row : { Result: row }) as Record<string, unknown>,
  );
  const columns = scalarColumns(rows);
  if (columns.length === 0) return "";
  const cell = (value: unknown) => {
    const text = value === undefined || value === null ? "" : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.join(","), ...rows.map((row) => columns.map((c) => cell(row[c])).join(","))].join("\r\n")}\r\n`;
}
