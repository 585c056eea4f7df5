import { UsageError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import { userPath } from "../../graph-lookup.ts";

export const options = {
  id: { type: "string", required: true, help: "The user's principal name or object id." },
  "display-name": { type: "string", help: "New display name." },
  password: { type: "string", help: "New password." },
  "account-enabled": { type: "string", help: "Enable or disable sign-in.", choices: ["true", "false"] },
  "force-change-password-next-sign-in": { type: "boolean", help: "Ask the user to change the password at next sign-in." },
} as const;

export const spec = command({
  path: ["ad", "user", "update"],
  summary: "Update a user.",
  options,
  examples: [{ text: "Disable a user.", command: "keyless ad user update --id alice@contoso.keyless --account-enabled false" }],
  async run(opts, ctx) {
    const body = {
      ...(opts["display-name"] ? { displayName: opts["display-name"] } : {}),
      ...(opts["account-enabled"] ? { accountEnabled: opts["account-enabled"] === "true" } : {}),
      ...(opts.password
        ? {
            passwordProfile: {
              password: opts.password,
              forceChangePasswordNextSignIn: opts["force-change-password-next-sign-in"] === true,
            },
          }
        : {}),
    };
    if (Object.keys(body).length === 0) throw new UsageError("Nothing to update: give --display-name, --password or --account-enabled.");
    const { client } = await ctx.client();
    await client.graph("PATCH", userPath(opts.id), { body });
    return undefined;
  },
});
