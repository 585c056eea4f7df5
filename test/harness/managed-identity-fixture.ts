import { BuiltInRoleIds } from "../../src/authz/builtin-roles.ts";
import { ARM_SCOPE, adminCredential, call } from "./clients.ts";
import { directoryAccess } from "./directory-access.ts";
import type { KeylessProcess } from "./keyless-process.ts";

/** Creates a user-assigned managed identity on a running server, reads its workload settings, and gives it Reader on the subscription. */
export async function managedIdentityFixture(keyless: KeylessProcess, name: string) {
  const directory = await directoryAccess(keyless);
  const { subscriptionId, tenantId, url } = keyless.facts;
  const resourceId = `/subscriptions/${subscriptionId}/resourceGroups/${keyless.facts.demo!.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const identity = await directory.managedIdentities.createManagedIdentity({ tenantId, resourceId, name });
  const environment = await directory.managedIdentities.workloadEnvironment(identity.clientId, url);
  const env = (lines: string[]) => Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const armToken = (await adminCredential(keyless.facts).getToken(ARM_SCOPE))!.token;
  const assignment = await call("PUT", `${url}/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, armToken, {
    properties: { roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BuiltInRoleIds.READER}`, principalId: identity.principalId, principalType: "ServicePrincipal" },
  });
  if (assignment.status !== 201) throw new Error(`role assignment failed: ${JSON.stringify(assignment.body)}`);
  return {
    identity,
    resourceId,
    directory,
    appServiceEnv: env(environment.appService),
    imdsEnv: env(environment.imds),
    azureCliEnv: env(environment.azureCli),
  };
}
