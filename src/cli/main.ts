import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { RestError } from "../client/rest-error.ts";
import { createTransport, type Transport, type TransportOptions } from "../client/transport.ts";
import { CliError, EXIT } from "./cli-error.ts";
import type { CommandSpec, Context, Io, ServeHook } from "./command.ts";
import { commandTable } from "./command-table.ts";
import { commandHelp, groupHelp } from "./help.ts";
import { applyQuery, azResult, checkQuery, render } from "./output.ts";
import { parseCommandArgs } from "./parse.ts";
import { configDir, openProfile } from "./profile.ts";
import { sessionClient } from "./session.ts";

interface CliDeps {
  serve?: ServeHook;
  table?: readonly CommandSpec[];
  /** How requests are sent; tests of request building pass a recording transport. */
  transport?: (options: TransportOptions) => Transport;
}

/** The version in Keyless's package.json: beside src/ in a checkout, beside dist/ in the installed package. */
function keylessVersion(): string {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "keyless" && pkg.version) return pkg.version;
  }
  return "unknown";
}

/** Finds the longest command path that prefixes the arguments. */
function findCommand(table: readonly CommandSpec[], argv: readonly string[]): { spec: CommandSpec; rest: string[] } | { prefix: string[] } {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith("-")) break;
    words.push(arg);
  }
  for (let n = words.length; n > 0; n--) {
    const spec = table.find((c) => c.path.length === n && c.path.every((w, i) => w === words[i]));
    if (spec) return { spec, rest: argv.slice(n) };
  }
  let known = 0;
  while (known < words.length && table.some((c) => words.slice(0, known + 1).every((w, i) => c.path[i] === w))) known++;
  return { prefix: words.slice(0, known) };
}

/** Runs one CLI invocation; returns the exit code. Never calls process.exit, so tests run it in-process. */
export async function runCli(argv: readonly string[], io: Io, deps: CliDeps = {}): Promise<number> {
  if (argv.length === 1 && argv[0] === "--version") {
    io.stdout(`keyless ${keylessVersion()}\nnode ${process.versions.node}\n`);
    return EXIT.ok;
  }
  const table = deps.table ?? commandTable;
  const found = findCommand(table, argv);
  if ("prefix" in found) {
    const extra = argv.find((a, i) => i >= found.prefix.length && !a.startsWith("-"));
    const asked = argv.includes("-h") || argv.includes("--help") || argv.length === found.prefix.length;
    if (extra === undefined && asked) {
      io.stdout(groupHelp(found.prefix, table));
      return EXIT.ok;
    }
    const what =
      extra === undefined
        ? `'${found.prefix.join(" ")}' is a group of commands, not a command`
        : `'${extra}' is misspelled or not recognized by the system`;
    io.stderr(
      `ERROR: ${what}. Run 'keyless ${found.prefix.join(" ")}${found.prefix.length ? " " : ""}-h' to see the commands.\n${groupHelp(found.prefix, table)}`,
    );
    return EXIT.usage;
  }
  const { spec, rest } = found;
  let transport: Transport | undefined;
  try {
    const { globals, values } = parseCommandArgs(spec, rest, io.env);
    if (globals.help) {
      io.stdout(commandHelp(spec));
      return EXIT.ok;
    }
    checkQuery(globals.query);
    const profile = openProfile(configDir(io.env));
    const getTransport = () => {
      transport ??= (deps.transport ?? createTransport)({
        caPath: profile.activeCloud()?.caPath,
        trace: globals.debug ? (line) => io.stderr(`DEBUG: ${line}\n`) : undefined,
      });
      return transport;
    };
    const ctx: Context = {
      io,
      profile,
      transport: getTransport,
      client: async () => sessionClient(profile, getTransport(), globals.subscription, io.env),
      warn: (text) => {
        if (!globals.onlyShowErrors) io.stderr(`${text}\n`);
      },
      ...(deps.serve ? { serve: deps.serve } : {}),
    };
    const result = azResult(await spec.run(values as never, ctx));
    const transformed = globals.output === "table" && globals.query === undefined && spec.tableRows !== undefined;
    const shown = transformed && result !== undefined ? spec.tableRows!(result) : applyQuery(result, globals.query);
    io.stdout(render(shown, globals.output, { sortTableKeys: globals.query === undefined && !transformed }));
    return EXIT.ok;
  } catch (err) {
    return reportError(err, io);
  } finally {
    await transport?.close();
  }
}

function reportError(err: unknown, io: Io): number {
  if (err instanceof RestError) {
    io.stderr(`ERROR: (${err.code}) ${err.message}\nCode: ${err.code}\nMessage: ${err.message}\n${explanation(err.body)}`);
    return err.isNotFound ? EXIT.notFound : EXIT.error;
  }
  if (err instanceof CliError) {
    io.stderr(`ERROR: ${err.code ? `(${err.code}) ` : ""}${err.message}\n`);
    return err.exitCode;
  }
  const cause = err as { code?: string; message?: string };
  if (cause?.code && /^(ECONNREFUSED|ENOTFOUND|UND_ERR|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO|ERR_TLS|CERT_)/.test(cause.code)) {
    io.stderr(
      `ERROR: (ConnectionFailed) Cannot reach the server: ${cause.message ?? cause.code}. Check 'keyless cloud show' (endpoint and --ca-file).\n`,
    );
    return EXIT.error;
  }
  io.stderr(`ERROR: (InternalError) ${cause?.message ?? String(err)}\n`);
  return EXIT.error;
}

/** The data plane's RBAC explanation of a denial, as indented lines. */
function explanation(body: unknown): string {
  const detail = (body as { error?: { explanation?: Record<string, unknown> | string } } | undefined)?.error?.explanation;
  if (!detail) return "";
  if (typeof detail === "string") return `Explanation: ${detail}\n`;
  const lines = Object.entries(detail)
    .filter(([key, value]) => key !== "allowed" && !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => `  ${key}: ${describeValue(value)}`);
  return `Explanation:\n${lines.join("\n")}\n`;
}

/** Roles by name (what a reader would type into `role assignment create --role`), anything else as JSON. */
function describeValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map((item) => (typeof item === "object" && item !== null && "roleName" in item ? String(item.roleName) : JSON.stringify(item)))
      .join(", ");
  }
  return JSON.stringify(value);
}

/** The process's streams and environment. */
export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    readLine: lineReader(),
  };
}

function lineReader(): () => Promise<string | undefined> {
  let lines: AsyncIterator<string> | undefined;
  return async () => {
    if (!lines) {
      const { createInterface } = await import("node:readline");
      lines = createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
    }
    const next = await lines.next();
    return next.done ? undefined : next.value;
  };
}
