import { parseArgs } from "node:util";
import { UsageError } from "./cli-error.ts";
import type { CommandSpec, OptionSpecs } from "./command.ts";
import { OUTPUT_FORMATS, type OutputFormat } from "./output.ts";

/** Options every command takes, as az. */
export const GLOBAL_OPTIONS = {
  output: { type: "string", short: "o", help: "Output format.", choices: OUTPUT_FORMATS },
  query: { type: "string", help: "JMESPath query string. See http://jmespath.org/ for more information and examples." },
  "only-show-errors": { type: "boolean", help: "Only show errors, suppressing warnings." },
  debug: { type: "boolean", help: "Increase logging verbosity to show all requests (secrets are redacted)." },
  help: { type: "boolean", short: "h", help: "Show this help message and exit." },
  subscription: {
    type: "string",
    help: "Name or ID of subscription. You can configure the default subscription using `keyless account set -s NAME_OR_ID`.",
  },
} as const satisfies OptionSpecs;

export interface Globals {
  output: OutputFormat;
  query: string | undefined;
  onlyShowErrors: boolean;
  debug: boolean;
  help: boolean;
  subscription: string | undefined;
}

export interface Parsed {
  globals: Globals;
  values: Record<string, unknown> & { positionals: string[] };
}

/** Parses a command's arguments with `util.parseArgs` (strict), then checks choices and required options. */
export function parseCommandArgs(spec: CommandSpec, args: readonly string[], env: Readonly<Record<string, string | undefined>>): Parsed {
  if (spec.passThrough) return passThrough(args);
  const options = { ...GLOBAL_OPTIONS, ...spec.options } as OptionSpecs;
  const parseOptions = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: foldBooleanValues(args, options), options: parseOptions, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${usageMessage(err as Error)} Run 'keyless ${spec.path.join(" ")} -h' to see the options.`);
  }
  const values = parsed.values as Record<string, unknown>;
  const globals: Globals = {
    output: (values.output as OutputFormat | undefined) ?? (env.KEYLESS_OUTPUT as OutputFormat | undefined) ?? "json",
    query: values.query as string | undefined,
    onlyShowErrors: values["only-show-errors"] === true,
    debug: values.debug === true,
    help: values.help === true,
    subscription: values.subscription as string | undefined,
  };
  if (globals.help) return { globals, values: { ...values, positionals: parsed.positionals } };
  for (const [name, option] of Object.entries(options)) {
    const value = name === "output" ? globals.output : values[name];
    if (option.choices && value !== undefined && !option.choices.includes(value as string)) {
      throw new UsageError(
        `argument --${name}: invalid choice: '${String(value)}' (choose from ${option.choices.map((c) => `'${c}'`).join(", ")}).`,
      );
    }
    if (option.required && value === undefined) {
      throw new UsageError(
        `the following arguments are required: --${name}${option.short ? `/-${option.short}` : ""}. Run 'keyless ${spec.path.join(" ")} -h' for an example.`,
      );
    }
  }
  if (!spec.positionals && parsed.positionals.length > 0) {
    throw new UsageError(
      `unrecognized arguments: ${parsed.positionals.join(" ")}. Run 'keyless ${spec.path.join(" ")} -h' to see the options.`,
    );
  }
  return { globals, values: { ...values, positionals: parsed.positionals } };
}

const TRUE = /^(true|yes|on|1)$/i;
const BOOLEAN_VALUE = /^(true|false|yes|no|on|off|1|0)$/i;

/** az's flags also take a value (`--custom-role-only true`, `--yes=false`): keep a true one as the bare flag, drop a false one. */
function foldBooleanValues(args: readonly string[], options: OptionSpecs): string[] {
  const folded: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith("--") ? (arg.split(/=(.*)/s, 2) as [string, string | undefined]) : [arg, undefined];
    const isBoolean = flag.startsWith("--") && options[flag.slice(2)]?.type === "boolean";
    const value = inline ?? (isBoolean && BOOLEAN_VALUE.test(args[i + 1] ?? "") ? args[++i] : undefined);
    if (!isBoolean || value === undefined) folded.push(arg);
    else if (TRUE.test(value)) folded.push(flag);
    else if (!BOOLEAN_VALUE.test(value)) folded.push(arg);
  }
  return folded;
}

function usageMessage(err: Error): string {
  const code = (err as { code?: string }).code;
  const unknown = /Unknown option '([^']+)'/.exec(err.message);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) return `unrecognized arguments: ${unknown[1]}.`;
  return err.message.replace(/\. To specify.*$/s, ".");
}

/** A command that hands its arguments on (serve → the configuration loader) sees them raw; only -h is ours. */
function passThrough(args: readonly string[]): Parsed {
  const help = args.includes("-h") || args.includes("--help");
  return {
    globals: { output: "none", query: undefined, onlyShowErrors: false, debug: false, help, subscription: undefined },
    values: { positionals: [...args] },
  };
}
