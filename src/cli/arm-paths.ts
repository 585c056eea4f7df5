import { API_VERSIONS, type KeylessClient } from "../client/keyless-client.ts";
import type { Context } from "./command.ts";

export const resourceGroupPath = (subscriptionId: string, group: string) =>
  `/subscriptions/${subscriptionId}/resourcegroups/${encodeURIComponent(group)}`;

export const accountPath = (subscriptionId: string, group: string, account: string) =>
  `${resourceGroupPath(subscriptionId, group)}/providers/Microsoft.CognitiveServices/accounts/${encodeURIComponent(account)}`;

export const deploymentPath = (subscriptionId: string, group: string, account: string, deployment: string) =>
  `${accountPath(subscriptionId, group, account)}/deployments/${encodeURIComponent(deployment)}`;

export const raiPolicyPath = (subscriptionId: string, group: string, account: string, policy: string) =>
  `${accountPath(subscriptionId, group, account)}/raiPolicies/${encodeURIComponent(policy)}`;

export const raiBlocklistPath = (subscriptionId: string, group: string, account: string, blocklist: string) =>
  `${accountPath(subscriptionId, group, account)}/raiBlocklists/${encodeURIComponent(blocklist)}`;

export const identityPath = (subscriptionId: string, group: string, name: string) =>
  `${resourceGroupPath(subscriptionId, group)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${encodeURIComponent(name)}`;

/** The scope an az role command works at: `--scope`, else `-g`'s group, else the subscription. */
export function scopeOf(subscriptionId: string, scope: string | undefined, group: string | undefined): string {
  if (scope) return scope.replace(/\/+$/, "") || "/";
  return group ? resourceGroupPath(subscriptionId, group) : `/subscriptions/${subscriptionId}`;
}

/** Parses `--tags a=b c=d` as az does. */
export function parseTags(tags: string[] | undefined): Record<string, string> | undefined {
  if (!tags) return undefined;
  return Object.fromEntries(tags.map((t) => (t.includes("=") ? [t.slice(0, t.indexOf("=")), t.slice(t.indexOf("=") + 1)] : [t, ""])));
}

/**
 * Waits for an ARM long-running operation as az does: a 201/202 with `Azure-AsyncOperation` (or `Location`) is
 * polled until it reaches a terminal status; progress goes to stderr. Returns the final resource when `finalPath` is given.
 */
export async function awaitArmOperation(
  ctx: Context,
  client: KeylessClient,
  response: { status: number; headers: Record<string, unknown>; body: unknown },
  finalPath?: string,
  apiVersion?: string,
): Promise<unknown> {
  const header = (name: string) => {
    const value = response.headers[name];
    return typeof value === "string" ? value : undefined;
  };
  const monitor = header("azure-asyncoperation") ?? header("location");
  if (!(response.status === 201 || response.status === 202) || !monitor) return response.body;
  const sleep = ctx.io.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const path = new URL(monitor).pathname + new URL(monitor).search;
  for (let attempt = 0; attempt < 600; attempt++) {
    const poll = await client.arm("GET", path);
    const status = (poll.body as { status?: string } | undefined)?.status;
    if (poll.status === 200 && (status === undefined || /^(succeeded)$/i.test(status))) break;
    if (status && /^(failed|canceled)$/i.test(status)) {
      const error = (poll.body as { error?: { code?: string; message?: string } }).error;
      const { CliError } = await import("./cli-error.ts");
      throw new CliError(error?.message ?? `The operation ended ${status}.`, { code: error?.code ?? status });
    }
    if (attempt === 0) ctx.warn(" - Running ..");
    await sleep(Number(header("retry-after") ?? 1) * 1000);
  }
  if (!finalPath) return undefined;
  return (await client.arm("GET", finalPath, { query: { "api-version": apiVersion ?? API_VERSIONS.resources } })).body;
}
