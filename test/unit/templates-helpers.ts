/** Shared pieces of the template engine tests: contexts, a recording host, fixtures, one-expression evaluation. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type DeploymentContext, planTemplate, type TemplateHost, type TemplatePlan } from "../../src/arm/templates/index.ts";

export const SUB = "00000000-0000-0000-0000-000000000001";
export const RG_ID = `/subscriptions/${SUB}/resourceGroups/rg1`;

export const rgContext: DeploymentContext = {
  tenantId: "11111111-1111-1111-1111-111111111111",
  subscriptionId: SUB,
  subscriptionDisplayName: "Keyless",
  resourceGroup: { name: "rg1", id: RG_ID, location: "local", tags: { env: "test" } },
  deploymentName: "dep1",
  scope: "resourceGroup",
  now: () => new Date("2026-12-03T06:07:08.123Z"),
};

export const subContext: DeploymentContext = {
  tenantId: "11111111-1111-1111-1111-111111111111",
  subscriptionId: SUB,
  deploymentName: "subdep",
  scope: "subscription",
  location: "local",
};

/** A host that answers `reference()` from a map of ids and records every read. */
export function recordingHost(state: Record<string, unknown> = {}): TemplateHost & { reads: string[] } {
  const reads: string[] = [];
  const find = (id: string) => {
    const key = Object.keys(state).find((k) => k.toLowerCase() === id.toLowerCase());
    if (key === undefined) throw new Error(`no resource ${id}`);
    return state[key] as Record<string, unknown>;
  };
  return {
    reads,
    async reference(id, apiVersion, full) {
      reads.push(`reference ${id} ${apiVersion ?? "-"} ${full}`);
      const resource = find(id);
      return full ? resource : resource.properties;
    },
    async listKeys(id, apiVersion) {
      reads.push(`listKeys ${id} ${apiVersion}`);
      find(id);
      return { key1: "k1", key2: "k2" };
    },
  };
}

export function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, "..", "fixtures", "templates", `${name}.json`), "utf8");
}

/** A template around one output holding `expression`, planned and evaluated. */
export async function evalExpression(
  expression: string,
  options: {
    parameters?: Record<string, unknown>;
    variables?: Record<string, unknown>;
    context?: DeploymentContext;
    host?: TemplateHost;
  } = {},
): Promise<unknown> {
  const parameters: Record<string, unknown> = {};
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options.parameters ?? {})) {
    parameters[k] = { type: typeOf(v) };
    given[k] = { value: v };
  }
  const template = {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters,
    variables: options.variables ?? {},
    resources: [],
    outputs: { result: { type: "object", value: { v: expression } } },
  };
  const plan = await planTemplate(template, given, options.context ?? rgContext);
  const outputs = await plan.outputs(options.host ?? recordingHost());
  return (outputs.result!.value as { v: unknown }).v;
}

function typeOf(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "int";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "array";
  return "object";
}

export async function plan(
  template: unknown,
  parameters: Record<string, unknown> = {},
  context: DeploymentContext = rgContext,
): Promise<TemplatePlan> {
  return planTemplate(template, parameters, context);
}

export function template(parts: Record<string, unknown>): Record<string, unknown> {
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    ...parts,
  };
}
