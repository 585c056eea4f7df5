import jmespath from "jmespath";
import { stringify as toYaml } from "yaml";
import { CliError, UsageError } from "./cli-error.ts";

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

/** Renders a result in one of az's output formats; ends with a newline unless empty. */
export function render(data: unknown, format: OutputFormat): string {
  if (data === undefined || format === "none") return "";
  switch (format) {
    case "json":
      return `${JSON.stringify(data, null, 2)}\n`;
    case "jsonc":
      return `${colorJson(data, "")}\n`;
    case "yaml":
      return toYaml(data);
    case "tsv":
      return tsv(data);
    case "table":
      return table(data);
    case "csv":
      return csv(data);
    case "jsonl":
      // JSON lines (a Keyless addition, for exports): one compact JSON value per item of a list.
      return (Array.isArray(data) ? data : [data]).map((item) => `${JSON.stringify(item)}\n`).join("");
  }
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

/** az's TSV: one line per item; scalar fields in order; a nested list prints its length, a nested object nothing. */
function tsv(data: unknown): string {
  const rows = Array.isArray(data) ? data : [data];
  return rows.map((row) => `${tsvRow(row)}\n`).join("");
}

function tsvRow(row: unknown): string {
  if (row !== null && typeof row === "object" && !Array.isArray(row)) return Object.values(row).map(tsvCell).join("\t");
  return tsvCell(row);
}

function tsvCell(value: unknown): string {
  if (Array.isArray(value)) return String(value.length);
  if (value !== null && typeof value === "object") return "";
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
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

function asRows(data: unknown): Record<string, unknown>[] {
  return (Array.isArray(data) ? data : [data]).map(
    (row) => (row !== null && typeof row === "object" && !Array.isArray(row) ? row : { Result: row }) as Record<string, unknown>,
  );
}

/** RFC 4180: a header of field names, then one line per row; cells with a comma, quote or line break are quoted. */
function csv(data: unknown): string {
  const rows = asRows(data);
  const columns = scalarColumns(rows);
  if (columns.length === 0) return "";
  const cell = (value: unknown) => {
    const text = value === undefined || value === null ? "" : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.join(","), ...rows.map((row) => columns.map((c) => cell(row[c])).join(","))].join("\r\n")}\r\n`;
}

/** az's table: scalar fields as columns, headers with a capital first letter, a dashed rule under them. */
function table(data: unknown): string {
  const rows = asRows(data);
  const columns = scalarColumns(rows);
  if (columns.length === 0) return "";
  const header = columns.map((c) => c.charAt(0).toUpperCase() + c.slice(1));
  const cells = rows.map((row) => columns.map((c) => (row[c] === undefined || row[c] === null ? "" : tsvCell(row[c]))));
  const widths = columns.map((_, i) => Math.max(header[i]!.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return `${[line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n")}\n`;
}
