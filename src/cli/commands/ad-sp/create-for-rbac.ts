import { randomUUID } from "node:crypto";
import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { UsageError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import { resolveRoleId } from "../../role-lookup.ts";

export const options = {
  name: { type: "string", short: "n", help: "Display name of the application; default: keyless-sp-<time>." },
  role: { type: "string", help: "A role to assign to the new service principal at each of --scopes." },
  scopes: { type: "string", multiple: true, help: "Scopes for --role (repeat for several)." },
  years: { type: "string", help: "How many years the secret is valid (default 1)." },
} as const;

export const spec = command({
  path: ["ad", "sp", "create-for-rbac"],
  summary: "Create an application, its service principal and a secret, and optionally assign it a role.",
  options,
  examples: [
    {
      text: "An app that may call the models of an account.",
      command: 'keyless ad sp create-for-rbac -n my-app --role "Cognitive Services User" --scopes $ACCOUNT_ID',
    },
  ],
  async run(opts, ctx) {
    if (opts.role && !opts.scopes?.length) throw new UsageError("--role needs --scopes (the resource ids to assign it at).");
    const { client, subscriptionId, tenantId } = await ctx.client();
    const displayName = opts.name ?? `keyless-sp-${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}`;
    const app = (await client.graph("POST", "/applications", { body: { displayName } })).body as { id: string; appId: string };
    const sp = (await client.graph("POST", "/servicePrincipals", { body: { appId: app.appId } })).body as { id: string };
    const endDateTime = new Date(Date.now() + Number(opts.years ?? 1) * 365 * 86400_000).toISOString();
    const secret = (
      await client.graph("POST", `/applications/${app.id}/addPassword`, {
        body: { passwordCredential: { displayName: "rbac", endDateTime } },
      })
    ).body as { secretText: string };
    const role = opts.role;
    if (role) {
      for (const scope of opts.scopes ?? []) {
        const roleDefinitionId = await resolveRoleId(client, subscriptionId, scope, role);
        await client.arm("PUT", `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, {
          query: { "api-version": API_VERSIONS.roleAssignments },
          body: { properties: { roleDefinitionId, principalId: sp.id, principalType: "ServicePrincipal" } },
        });
      }
    }
    ctx.warn(
      "The output includes credentials that you must protect. Be sure that you do not include these credentials in your code or check the credentials into your source control.",
    );
    return { appId: app.appId, displayName, password: secret.secretText, tenant: tenantId };
  },
});
