import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { API_VERSIONS, type KeylessClient } from "../client/keyless-client.ts";
import { parseJsonc } from "../core/jsonc.ts";
import { awaitArmOperation, resourceGroupPath } from "./arm-paths.ts";
import { CliError, UsageError } from "./cli-error.ts";
import type { Context } from "./command.ts";

/** Where a deployment lives: a resource group, or the subscription (`group` undefined). */
interface DeploymentTarget {
  subscriptionId: string;
  group: string | undefined;
}

export function deploymentsPath(t: DeploymentTarget): string {
  const base = t.group ? resourceGroupPath(t.subscriptionId, t.group) : `/subscriptions/${t.subscriptionId}`;
  return `${base}/providers/Microsoft.Resources/deployments`;
}

export function templateDeploymentPath(t: DeploymentTarget, name: string): string {
  return `${deploymentsPath(t)}/${encodeURIComponent(name)}`;
}

/** The options every `deployment group|sub create|validate|what-if` takes, as az spells them. */
export const templateOptions = {
  name: { type: "string", short: "n", help: "The deployment name (default: the template file's base name)." },
  "template-file": { type: "string", short: "f", required: true, help: "Path to the ARM template (JSON, comments allowed)." },
  parameters: {
    type: "string",
    short: "p",
    multiple: true,
    help: "Parameters: @file.json (a parameters file), inline JSON, or name=value (typed by the template); repeat -p for each.",
  },
} as const;

/** Reads a template file as ARM reads it: JSON with comments. */
function readTemplate(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`argument --template-file: cannot read '${path}' (${(err as Error).message}).`);
  }
  try {
    const template = parseJsonc(text);
    if (typeof template !== "object" || template === null || Array.isArray(template)) throw new Error("not a JSON object");
    return template as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`Failed to parse '${path}', please check whether it is a valid JSON format: ${(err as Error).message}`);
  }
}

/**
 * `--parameters` as az 2.45 reads them: `@file` (a parameters file, whose `parameters` object is taken), inline
 * JSON, or `name=value` converted by the template's declared type (int, bool, object/array as JSON). Later
 * values win. The result is ARM's `{name: {value}}` form.
 */
function parseParameters(items: readonly string[] | undefined, template: Record<string, unknown>): Record<string, unknown> {
  const declared = (template.parameters ?? {}) as Record<string, { type?: string }>;
  const parameters: Record<string, unknown> = {};
  for (const item of items ?? []) {
    const fromJson = (text: string, where: string) => {
      let parsed: unknown;
      try {
        parsed = parseJsonc(text);
      } catch (err) {
        throw new UsageError(`argument --parameters: ${where} is not valid JSON (${(err as Error).message}).`);
      }
      const object = (parsed as { parameters?: unknown }).parameters ?? parsed;
      if (typeof object !== "object" || object === null || Array.isArray(object))
        throw new UsageError(`argument --parameters: ${where} must be a JSON object of parameters.`);
      Object.assign(parameters, object);
    };
    if (item.startsWith("@")) {
      let text: string;
      try {
        text = readFileSync(item.slice(1), "utf8");
      } catch (err) {
        throw new UsageError(`argument --parameters: cannot read '${item.slice(1)}' (${(err as Error).message}).`);
      }
      fromJson(text, `'${item.slice(1)}'`);
    } else if (item.trim().startsWith("{")) fromJson(item, "the inline value");
    else {
      const at = item.indexOf("=");
      if (at < 1) throw new UsageError(`Unable to parse parameter: ${item}`);
      const name = item.slice(0, at);
      const value = item.slice(at + 1);
      const key = Object.keys(declared).find((k) => k.toLowerCase() === name.toLowerCase());
      if (!key)
        throw new UsageError(`unrecognized template parameter '${name}'. Allowed parameters: ${Object.keys(declared).sort().join(", ")}`);
      parameters[key] = { value: typedValue(name, value, String(declared[key]?.type ?? "string")) };
    }
  }
  return parameters;
}

function typedValue(name: string, value: string, type: string): unknown {
  switch (type.toLowerCase()) {
    case "int": {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new UsageError(`Parameter '${name}' is an int; '${value}' is not a whole number.`);
      return n;
    }
    case "bool":
      return value.toLowerCase() === "true";
    case "object":
    case "secureobject":
    case "array":
      try {
        return JSON.parse(value) as unknown;
      } catch {
        throw new UsageError(`Parameter '${name}' is an ${type}; '${value}' is not JSON.`);
      }
    default:
      return value;
  }
}

/** The deployment body of create, validate and what-if. */
export function deploymentBody(
  opts: { "template-file": string; parameters?: string[] | undefined },
  extra: { mode?: string | undefined; location?: string | undefined },
) {
  const template = readTemplate(opts["template-file"]);
  return {
    ...(extra.location ? { location: extra.location } : {}),
    properties: {
      template,
      parameters: parseParameters(opts.parameters, template),
      mode: extra.mode ?? "Incremental",
    },
  };
}

/** az's default deployment name: the template file's name without its extension. */
export function deploymentName(name: string | undefined, templateFile: string): string {
  return name ?? basename(templateFile, extname(templateFile));
}

/** `create`: PUT, then (unless `--no-wait`) wait for the run and show the deployment. */
export async function createDeployment(ctx: Context, client: KeylessClient, path: string, body: unknown, noWait: boolean) {
  const response = await client.arm("PUT", path, { query: { "api-version": API_VERSIONS.resources }, body });
  if (noWait) return undefined;
  return awaitArmOperation(ctx, client, response, path, API_VERSIONS.resources);
}

/** `what-if`: POST, follow the `Location` until the result is ready, then print it (or return it with --no-pretty-print). */
export async function whatIfDeployment(ctx: Context, client: KeylessClient, path: string, body: unknown, pretty: boolean) {
  const response = await client.arm("POST", `${path}/whatIf`, { query: { "api-version": API_VERSIONS.resources }, body });
  let result = response.body as WhatIfResult | undefined;
  const location = typeof response.headers.location === "string" ? response.headers.location : undefined;
  const sleep = ctx.io.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 0; location && response.status === 202 && attempt < 600; attempt++) {
    const url = new URL(location);
    const poll = await client.arm("GET", url.pathname + url.search);
    if (poll.status === 200) {
      result = poll.body as WhatIfResult;
      break;
    }
    await sleep(1000);
  }
  if (!result) throw new CliError("The what-if operation returned no result.");
  if (!pretty) return result;
  ctx.io.stdout(formatWhatIf(result));
  return undefined;
}

interface WhatIfResult {
  status?: string;
  properties?: { changes?: { resourceId: string; changeType: string; delta?: PropertyChange[] }[] };
}
interface PropertyChange {
  path: string;
  propertyChangeType: string;
  before?: unknown;
  after?: unknown;
  children?: PropertyChange[];
}

/** az's wording of the closing count, in its order (deletions first). */
const STAT_WORDS: Record<string, string> = {
  Delete: "to delete",
  Create: "to create",
  Deploy: "to deploy",
  Modify: "to modify",
  NoChange: "no change",
  Unsupported: "unsupported",
  Ignore: "to ignore",
};

const SYMBOLS: Record<string, string> = {
  Create: "+",
  Delete: "-",
  Modify: "~",
  NoChange: "=",
  Ignore: "*",
  Deploy: "!",
  Unsupported: "x",
};

/** The changes as az prints them: one line per resource with its change symbol, property changes indented. */
function formatWhatIf(result: WhatIfResult): string {
  const changes = result.properties?.changes ?? [];
  const lines = ["Resource and property changes are indicated with these symbols:"];
  for (const type of [...new Set(changes.map((c) => c.changeType))]) lines.push(`  ${SYMBOLS[type] ?? "?"} ${type}`);
  lines.push("", "The deployment will update the following scope:", "");
  for (const c of changes) {
    lines.push(`  ${SYMBOLS[c.changeType] ?? "?"} ${c.resourceId}`);
    for (const d of c.delta ?? []) lines.push(...propertyLines(d, 6));
  }
  const counts = new Map<string, number>();
  for (const type of Object.keys(STAT_WORDS)) {
    const n = changes.filter((c) => c.changeType === type).length;
    if (n > 0) counts.set(type, n);
  }
  const stats = [...counts].map(([type, n]) => `${n} ${STAT_WORDS[type]}`).join(", ");
  lines.push("", `Resource changes: ${stats || "no change"}.`, "");
  return lines.join("\n");
}

function propertyLines(d: PropertyChange, indent: number): string[] {
  const pad = " ".repeat(indent);
  const show = (v: unknown) => JSON.stringify(v);
  const symbol = { Create: "+", Delete: "-", Modify: "~", Array: "~", NoEffect: "x" }[d.propertyChangeType] ?? "?";
  const value =
    d.propertyChangeType === "Modify"
      ? `${show(d.before)} => ${show(d.after)}`
      : show(d.propertyChangeType === "Delete" ? d.before : d.after);
  const own = `${pad}${symbol} ${d.path}${d.children ? ":" : `: ${value}`}`;
  return [own, ...(d.children ?? []).flatMap((c) => propertyLines(c, indent + 2))];
}
