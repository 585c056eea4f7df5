import type { KeylessClient } from "../client/keyless-client.ts";
import type { Transport } from "../client/transport.ts";
import type { Profile } from "./profile.ts";

/** One option of a command, as `util.parseArgs` takes it plus what `-h` prints. */
interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  required?: boolean;
  help: string;
  /** Allowed values; anything else is a usage error naming them. */
  choices?: readonly string[];
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The parsed values of a command's options, typed from its specs: a `required` option is always there. */
export type OptionValues<S extends OptionSpecs> = {
  [K in keyof S]: S[K]["type"] extends "boolean"
    ? boolean | undefined
    : S[K] extends { multiple: true }
      ? S[K] extends { required: true }
        ? string[]
        : string[] | undefined
      : S[K] extends { required: true }
        ? string
        : string | undefined;
} & { positionals: string[] };

/** What a command may touch besides its options: streams, environment, the profile and clients. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a line of input (interactive chat); undefined at end of input. */
  readLine?: () => Promise<string | undefined>;
  /** Sleeps (device-code polling); tests may pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
}

export interface Context {
  io: Io;
  profile: Profile;
  /** Plain transport for the active cloud (token service calls). */
  transport: () => Transport;
  /** An authenticated client for the active account; `subscription` is the account's or `--subscription`. */
  client: () => Promise<{ client: KeylessClient; subscriptionId: string; tenantId: string }>;
  /** Warnings and progress go here unless `--only-show-errors`. */
  warn: (text: string) => void;
  /** Injected by the composition root: starts the server (`keyless serve`). */
  serve?: ServeHook;
}

/** Starts the server with its own flags; `report` is the start-up text ending in the KEYLESS_READY line. */
export type ServeHook = (argv: readonly string[], env: Io["env"]) => Promise<StartedServer>;

export interface StartedServer {
  url: string;
  caPath: string;
  tenantId: string;
  adminUsername: string;
  adminPassword: string | undefined;
  report: string;
  /** Settles when the server has stopped (SIGINT/SIGTERM or close()). */
  closed: Promise<void>;
  close(): Promise<void>;
}

export interface CommandSpec<S extends OptionSpecs = OptionSpecs> {
  /** The words that name the command, e.g. `["role", "assignment", "create"]`. */
  path: readonly string[];
  summary: string;
  options: S;
  /** Positional arguments, shown in usage (e.g. `[PROMPT]`). */
  positionals?: string;
  examples: readonly { text: string; command: string }[];
  /** Passes unknown options through untouched (serve hands them to the configuration loader). */
  passThrough?: boolean;
  /** Returns the data to print (formatted by `-o` / `--query`); undefined prints nothing. */
  run: (opts: OptionValues<S>, ctx: Context) => Promise<unknown>;
  /** What `-o table` shows when no `--query` is given, as az's per-command table transformers. */
  tableRows?: (result: unknown) => unknown;
}

/** Declares a command with its option types inferred. */
export function command<const S extends OptionSpecs>(spec: CommandSpec<S>): CommandSpec {
  return spec as unknown as CommandSpec;
}
