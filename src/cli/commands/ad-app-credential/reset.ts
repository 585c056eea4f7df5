import { command } from "../../command.ts";
import { findApplication } from "../../graph-lookup.ts";

export const options = {
  id: { type: "string", required: true, help: "The app id or object id." },
  append: { type: "boolean", help: "Keep the existing secrets (default: they are removed, as az does)." },
  "display-name": { type: "string", help: "A name for the new secret." },
  years: { type: "string", help: "How many years the secret is valid (default 1)." },
} as const;

export const spec = command({
  path: ["ad", "app", "credential", "reset"],
  summary: "Add a new client secret to an application (and remove the old ones unless --append).",
  options,
  examples: [{ text: "Get a new secret.", command: "keyless ad app credential reset --id $APP_ID --append --query password -o tsv" }],
  async run(opts, ctx) {
    const { client, tenantId } = await ctx.client();
    const app = await findApplication(client, opts.id);
    if (!opts.append) {
      for (const credential of app.passwordCredentials ?? [])
        await client.graph("POST", `/applications/${app.id}/removePassword`, { body: { keyId: credential.keyId } });
    }
    const endDateTime = new Date(Date.now() + Number(opts.years ?? 1) * 365 * 86400_000).toISOString();
    const { body } = await client.graph("POST", `/applications/${app.id}/addPassword`, {
      body: { passwordCredential: { displayName: opts["display-name"] ?? "rbac", endDateTime } },
    });
    ctx.warn(
      "The output includes credentials that you must protect. Be sure that you do not include these credentials in your code or check the credentials into your source control.",
    );
    return { appId: app.appId, password: (body as { secretText: string }).secretText, tenant: tenantId };
  },
});
