import { armError } from "../arm-errors.ts";
import { normalizeLocation } from "../resource-groups.ts";
import { bodyObject, parseTags } from "../resource-json.ts";

/** Where a deployment lives: a resource group, or the subscription itself (`resourceGroup: null`). */
export interface DeploymentAddress {
  subscriptionId: string;
  resourceGroup: string | null;
  name: string;
}

export interface DeploymentInput {
  template: Record<string, unknown>;
  /** Parameters by name, each in ARM's `{value}` form. */
  parameters: Record<string, { value: unknown }>;
  mode: "Incremental" | "Complete";
  location: string | null;
  tags: Record<string, string>;
}

/** ARM's rule for deployment names: 1–64 letters, digits, `-`, `_`, `.`, `(`, `)`. */
const NAME = /^[-\w.()]{1,64}$/u;

export function deploymentId(a: DeploymentAddress): string {
  const base = `/subscriptions/${a.subscriptionId}`;
  return a.resourceGroup === null
    ? `${base}/providers/Microsoft.Resources/deployments/${a.name}`
    : `${base}/resourceGroups/${a.resourceGroup}/providers/Microsoft.Resources/deployments/${a.name}`;
}

export function checkDeploymentName(name: string): void {
  if (!NAME.test(name))
    throw armError("InvalidResourceName", name, "A deployment name has 1 to 64 letters, digits, '-', '_', '.', '(' or ')'.");
}

/**
 * The body of PUT, `validate` and `whatIf`: `{location?, tags?, properties: {template, parameters, mode}}`. Only
 * an inline template is taken (a `templateLink` would make the server fetch a URL); parameters are `{value}`
 * objects (Key Vault references are refused: there is no vault).
 */
export function parseDeploymentInput(body: unknown, scope: "resourceGroup" | "subscription"): DeploymentInput {
  const input = bodyObject(body);
  const properties = input.properties;
  if (typeof properties !== "object" || properties === null || Array.isArray(properties))
    throw armError("InvalidRequestContent", "properties must be an object with the template, its parameters and the mode.");
  const p = properties as Record<string, unknown>;
  if (p.templateLink !== undefined && p.templateLink !== null)
    throw armError("InvalidRequestContent", "properties.templateLink is not supported: send the template inline in properties.template.");
  const template = p.template;
  if (typeof template !== "object" || template === null || Array.isArray(template))
    throw armError("InvalidRequestContent", "properties.template must be the template object.");
  const modeText = typeof p.mode === "string" ? p.mode : "Incremental";
  const mode = modeText.toLowerCase() === "complete" ? "Complete" : modeText.toLowerCase() === "incremental" ? "Incremental" : undefined;
  if (!mode) throw armError("InvalidRequestContent", `properties.mode '${modeText}' is not valid: use 'Incremental' or 'Complete'.`);
  if (mode === "Complete" && scope === "subscription")
    throw armError("InvalidDeploymentScope", "a subscription deployment runs in Incremental mode only.");
  const location = typeof input.location === "string" && input.location.trim() !== "" ? normalizeLocation(input.location) : null;
  if (scope === "subscription" && !location) throw armError("LocationRequired");
  return {
    template: template as Record<string, unknown>,
    parameters: parameterValues(p.parameters),
    mode,
    location: scope === "subscription" ? location : null,
    tags: parseTags(input.tags) ?? {},
  };
}

function parameterValues(raw: unknown): Record<string, { value: unknown }> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw armError("InvalidRequestContent", "properties.parameters must be an object.");
  const values: Record<string, { value: unknown }> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      throw armError("InvalidRequestContent", `properties.parameters.${name} must be an object {"value": …}.`);
    const e = entry as Record<string, unknown>;
    if ("reference" in e)
      throw armError(
        "InvalidRequestContent",
        `properties.parameters.${name} is a Key Vault reference; Keyless has no Key Vault: pass the value.`,
      );
    if (!("value" in e)) throw armError("InvalidRequestContent", `properties.parameters.${name} must have a "value".`);
    values[name] = { value: e.value };
  }
  return values;
}
