import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARM_SCOPE, adminCredential, appCredential, COGNITIVE_SCOPE, call, GRAPH_SCOPE, registerApp } from "./clients.ts";
import { type KeylessProcess, startKeyless } from "./keyless-process.ts";
import { RoleIds } from "./role-ids.ts";

export interface DataPlaneWorld {
  keyless: KeylessProcess;
  /** A Cognitive Services User of the demo account (deployments `echo` and `embed`, plus any asked for). */
  token: string;
  account: string;
  accountId: string;
  armToken: string;
  /** `…/accounts/{account}/openai/deployments/{deployment}/{operation}?api-version=2024-10-21` */
  deploymentUrl(deployment: string, operation: string): string;
  stop(): Promise<void>;
}

/**
 * A running service with one caller allowed to use the demo account, optional extra models (a models file, as an
 * operator writes it) and extra deployments of them with their `sku.capacity`.
 */
export async function startDataPlaneWorld(
  options: {
    modelsYaml?: string;
    /** Files written beside the models file (scripts it names). */
    files?: Record<string, string>;
    env?: Record<string, string>;
    /** The server's stdout and stderr, as they come. */
    onOutput?: (chunk: string) => void;
    deployments?: Array<{ name: string; model: string; capacity?: number }>;
  } = {},
): Promise<DataPlaneWorld> {
  const env: Record<string, string> = { ...options.env };
  if (options.modelsYaml) {
    const dir = mkdtempSync(join(tmpdir(), "keyless-models-"));
    const file = join(dir, "models.yaml");
    writeFileSync(file, options.modelsYaml);
    for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
    env.KEYLESS_MODELS_FILE = file;
  }
  const keyless = await startKeyless({ env, ...(options.onOutput ? { onOutput: options.onOutput } : {}) });
  const admin = adminCredential(keyless.facts);
  const armToken = (await admin.getToken(ARM_SCOPE))!.token;
  const app = await registerApp(keyless.facts, (await admin.getToken(GRAPH_SCOPE))!.token, "data-plane-world-app");
  const { subscriptionId, demo, url } = keyless.facts;
  const account = demo!.account;
  const accountId = `/subscriptions/${subscriptionId}/resourceGroups/${demo!.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${account}`;
  const grant = await call(
    "PUT",
    `${url}${accountId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
    armToken,
    {
      properties: {
        roleDefinitionId: RoleIds.cognitiveServicesUser,
        principalId: app.objectId,
        principalType: "ServicePrincipal",
      },
    },
  );
  assert.equal(grant.status, 201, JSON.stringify(grant.body));
  for (const d of options.deployments ?? []) {
    const [format, name, version] = d.model.split("/");
    const put = await call("PUT", `${url}${accountId}/deployments/${d.name}?api-version=2023-05-01`, armToken, {
      sku: { name: "Standard", ...(d.capacity === undefined ? {} : { capacity: d.capacity }) },
      properties: { model: { format, name, version } },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
  }
  const token = (await appCredential(keyless.facts, app.appId, app.secret).getToken(COGNITIVE_SCOPE))!.token;
  return {
    keyless,
    token,
    account,
    accountId,
    armToken,
    deploymentUrl: (deployment, operation) =>
      `${url}/accounts/${account}/openai/deployments/${deployment}/${operation}?api-version=2024-10-21`,
    async stop() {
      await keyless.stop();
      keyless.cleanup();
    },
  };
}
