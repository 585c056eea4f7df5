/**
 * The human console log: pino's JSON lines (already redacted by pino, so a secret never reaches this code) turned
 * into one short line each, in the process, with no worker thread. A request is one line, `GET /path → 200 (3 ms)`,
 * printed when it completes; the other fields of a record follow its message as `key=value`.
 */

/** What pino writes to: one serialized record per call. */
export interface LogDestination {
  write(line: string): void;
}

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const COLORS: Record<number, string> = { 10: "90", 20: "90", 30: "32", 40: "33", 50: "31", 60: "35" };
/** Fields every record has, or that the request line already shows. */
const SHOWN = new Set(["level", "time", "pid", "hostname", "msg", "reqId", "req", "res", "responseTime"]);
/** Requests still in flight, by request id (bounded: a record that never completes cannot grow it forever). */
const MAX_OPEN_REQUESTS = 10_000;

type LogRecord = {
  level?: number;
  time?: number;
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  err?: { type?: string; message?: string; stack?: string };
  [key: string]: unknown;
};

function value(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** `hh:mm:ss.mmm` in UTC, as the log's timestamps are. */
function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/**
 * A pino destination that writes human lines to `out`. `color` adds ANSI colours to the level (for a terminal).
 * A line that is not a JSON record is passed through as it is.
 */
export function prettyLogDestination(out: (text: string) => void, options: { color?: boolean } = {}): LogDestination {
  const open = new Map<string, string>();
  const level = (n: number) => {
    const name = (LEVELS[n] ?? String(n)).padEnd(5);
    return options.color ? `\u001b[${COLORS[n] ?? "0"}m${name}\u001b[0m` : name;
  };
  return {
    write(line) {
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        out(line.endsWith("\n") ? line : `${line}\n`);
        return;
      }
      const n = record.level ?? 30;
      if (record.msg === "incoming request" && record.reqId !== undefined && record.req) {
        if (open.size >= MAX_OPEN_REQUESTS) open.clear();
        open.set(record.reqId, `${record.req.method ?? "?"} ${record.req.url ?? "?"}`);
        return;
      }
      let message = record.msg ?? "";
      if (record.msg === "request completed" && record.reqId !== undefined) {
        const request = open.get(record.reqId) ?? "request";
        open.delete(record.reqId);
        const ms = record.responseTime === undefined ? "" : ` (${Math.round(record.responseTime)} ms)`;
        message = `${request} → ${record.res?.statusCode ?? "?"}${ms}`;
      }
      const fields = Object.entries(record)
        .filter(([key]) => !SHOWN.has(key) && key !== "err")
        .map(([key, v]) => `${key}=${value(v)}`);
      if (n >= 40 && record.reqId !== undefined && record.msg !== "request completed") fields.push(`reqId=${record.reqId}`);
      const err = record.err;
      if (err) fields.unshift(`err=${value(`${err.type ?? "Error"}: ${err.message ?? ""}`)}`);
      const head = `${clockTime(record.time ?? Date.now())} ${level(n)} ${message}${fields.length ? ` ${fields.join(" ")}` : ""}`;
      const stack = n >= 50 && err?.stack ? `\n${err.stack.replace(/^/gm, "    ")}` : "";
      out(`${head}${stack}\n`);
    },
  };
}

/** `logFormat` resolved for where the log goes: `auto` is `pretty` on a terminal and JSON otherwise. */
export function consoleLogFormat(setting: string, isTerminal: boolean): "json" | "pretty" {
  if (setting === "pretty" || setting === "json") return setting;
  return isTerminal ? "pretty" : "json";
}
