import { ARM_SCOPE, adminCredential, call } from "./clients.ts";
import type { ReadyFacts } from "./keyless-process.ts";
import { RoleIds } from "./role-ids.ts";

const V = "api-version=2023-01-31";

/**
 * Creates a user-assigned managed identity through ARM, as an operator would, reads the workload's settings
 * (`listWorkloadEnvironment`), and gives the identity Reader on the subscription.
 */
export async function managedIdentityFixture(keyless: { facts: ReadyFacts }, name: string) {
  const { subscriptionId, url } = keyless.facts;
  const armToken = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
  const resourceId = `/subscriptions/${subscriptionId}/resourceGroups/${keyless.facts.demo!.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const created = await call("PUT", `${url}${resourceId}?${V}`, armToken, { location: "local" });
  if (created.status !== 201) throw new Error(`identity create failed: ${JSON.stringify(created.body)}`);
  const identity = { clientId: created.body.properties.clientId as string, principalId: created.body.properties.principalId as string };
  const environment = await call("POST", `${url}${resourceId}/listWorkloadEnvironment?${V}`, armToken);
  if (environment.status !== 200) throw new Error(`listWorkloadEnvironment failed: ${JSON.stringify(environment.body)}`);
  const env = (lines: string[]) => Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const assignment = await call(
    "PUT",
    `${url}/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
    armToken,
    {
      properties: {
        roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${RoleIds.reader}`,
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
      },
    },
  );
  if (assignment.status !== 201) throw new Error(`role assignment failed: ${JSON.stringify(assignment.body)}`);
  return {
    identity,
    resourceId,
    appServiceEnv: env(environment.body.appService),
    imdsEnv: env(environment.body.imds),
    azureCliEnv: env(environment.body.azureCli),
    /** Deletes the identity through ARM. */
    async delete(): Promise<void> {
      const deleted = await call("DELETE", `${url}${resourceId}?${V}`, armToken);
      if (deleted.status !== 200 && deleted.status !== 204) throw new Error(`identity delete failed: ${JSON.stringify(deleted.body)}`);
    },
  };
}
