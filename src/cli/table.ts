/** Keys az's automatic table leaves out (knack `_TableOutput.SKIP_KEYS`); a table transform's capitalised keys pass. */
const SKIP_KEYS = ["id", "type", "etag"];

/**
 * knack's `_TableOutput` through tabulate's "simple" format: each object's non-null scalar fields become columns
 * (first letter capitalised, in the order first seen), a list row becomes Column1..N, a scalar row `Result`. A
 * column is as wide as its widest cell or its header plus two; columns are two spaces apart; lines are trimmed.
 */
export function tableText(data: unknown): string {
  const rows = (Array.isArray(data) ? data : [data]).map((item) => tableRow(item));
  if (rows.length === 0) return "\n";
  const columns: string[] = [];
  for (const row of rows) for (const key of row.keys()) if (!columns.includes(key)) columns.push(key);
  if (columns.length === 0) return "\n";
  const cells = rows.map((row) => columns.map((c) => row.get(c) ?? ""));
  const widths = columns.map((c, i) => Math.max(c.length + 2, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return `${[line(columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n")}\n`;
}

function tableRow(item: unknown): Map<string, string> {
  const row = new Map<string, string>();
  if (Array.isArray(item)) {
    item.forEach((value, i) => {
      row.set(`Column${i + 1}`, value === null ? "" : typeof value === "object" ? pythonRepr(value) : pythonStr(value));
    });
  } else if (item !== null && typeof item === "object") {
    for (const [key, value] of Object.entries(item)) {
      if (SKIP_KEYS.includes(key)) continue;
      if (value === null || value === undefined || typeof value === "object") continue;
      row.set(key.charAt(0).toUpperCase() + key.slice(1), pythonStr(value));
    }
  } else {
    row.set("Result", item === null ? "" : pythonStr(item));
  }
  return row;
}

/** Python's `str()` of a JSON value, as knack writes a TSV cell or a table column: a nested list its length. */
export function pythonStr(value: unknown): string {
  if (Array.isArray(value)) return String(value.length);
  if (value !== null && typeof value === "object") return "";
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

/** Python's `repr()` of a JSON value: how tabulate prints a list or object in a list row's cell. */
function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const escaped = value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
    return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}
