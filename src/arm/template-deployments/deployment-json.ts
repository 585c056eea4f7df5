import { createHash } from "node:crypto";
import type { DeploymentOperationRecord, TemplateDeploymentRecord } from "../../storage/deployment-store.ts";

const DEPLOYMENT_TYPE = "Microsoft.Resources/deployments";

/** ARM's spelling of a template parameter type in a deployment's `properties.parameters`. */
const TYPE_NAMES: Record<string, string> = {
  string: "String",
  securestring: "SecureString",
  int: "Int",
  integer: "Int",
  boolean: "Bool",
  bool: "Bool",
  object: "Object",
  secureobject: "SecureObject",
  array: "Array",
};

function isSecureType(type: string): boolean {
  const t = type.toLowerCase();
  return t === "securestring" || t === "secureobject";
}

/** A parameter or output type as ARM spells it in a deployment (`Int`, `SecureString`, …). */
export function typeName(type: string): string {
  return TYPE_NAMES[type.toLowerCase()] ?? type;
}

/** The parameters as a deployment shows (and stores) them: each with its type; a secure one never with its value. */
export function shownParameters(parameters: Record<string, { type: string; value: unknown; secure?: boolean }>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(parameters)) {
    const type = typeName(p.type);
    shown[name] = p.secure || isSecureType(p.type) ? { type } : { type, value: p.value };
  }
  return shown;
}

/** ARM's template hash is a decimal digest of the template text. */
export function templateHash(template: unknown): string {
  return BigInt(`0x${createHash("sha256").update(JSON.stringify(template)).digest("hex").slice(0, 16)}`).toString(10);
}

/** An ISO 8601 duration (`PT1.234S`) between two timestamps, as ARM's `duration` fields show it. */
function duration(start: string, end: string | null, now: string): string {
  const ms = Math.max(0, Date.parse(end ?? now) - Date.parse(start));
  return `PT${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}S`;
}

/** `DeploymentExtended`: what GET, PUT and list answer for a deployment. */
export function deploymentJson(d: TemplateDeploymentRecord, now: string) {
  const providers = new Map<string, Set<string>>();
  for (const dep of d.dependencies as { resourceType?: string }[]) {
    const [namespace, ...rest] = String(dep.resourceType ?? "").split("/");
    if (!namespace || rest.length === 0) continue;
    if (!providers.has(namespace)) providers.set(namespace, new Set());
    providers.get(namespace)!.add(rest.join("/"));
  }
  return {
    id: d.id,
    name: d.name,
    type: DEPLOYMENT_TYPE,
    ...(d.location ? { location: d.location } : {}),
    tags: d.tags,
    properties: {
      templateHash: d.templateHash,
      parameters: d.parameters,
      mode: d.mode,
      provisioningState: d.provisioningState,
      timestamp: d.endedAt ?? d.updatedAt,
      duration: duration(d.startedAt, d.endedAt, now),
      correlationId: d.correlationId,
      providers: [...providers].map(([namespace, types]) => ({
        namespace,
        resourceTypes: [...types].map((resourceType) => ({ resourceType, locations: [] })),
      })),
      dependencies: d.dependencies.filter((x) => ((x as { dependsOn?: unknown[] }).dependsOn ?? []).length > 0),
      outputs: d.outputs ?? undefined,
      outputResources: d.outputResources,
      ...(d.error ? { error: d.error } : {}),
    },
  };
}

/** `DeploymentOperation`: one entry of `…/deployments/{name}/operations`. */
export function operationJson(deploymentId: string, op: DeploymentOperationRecord, now: string) {
  return {
    id: `${deploymentId}/operations/${op.operationId}`,
    operationId: op.operationId,
    properties: {
      provisioningOperation: op.provisioningOperation,
      provisioningState: op.provisioningState,
      timestamp: op.endedAt ?? op.startedAt,
      duration: duration(op.startedAt, op.endedAt, now),
      trackingId: op.operationId,
      serviceRequestId: null,
      ...(op.statusCode ? { statusCode: op.statusCode } : {}),
      ...(op.statusMessage ? { statusMessage: op.statusMessage } : {}),
      targetResource: { id: op.targetId, resourceType: op.targetType, resourceName: op.targetName, apiVersion: op.apiVersion },
    },
  };
}
