import { command } from "../../command.ts";

export const options = {
  "display-name": { type: "string", required: true, help: "The user's display name." },
  "user-principal-name": { type: "string", required: true, help: "The user principal name, e.g. alice@contoso.keyless." },
  password: { type: "string", required: true, help: "The user's password." },
  "mail-nickname": { type: "string", help: "Mail alias; default: the UPN's local part." },
  "force-change-password-next-sign-in": { type: "boolean", help: "Ask the user to change the password at next sign-in." },
} as const;

export const spec = command({
  path: ["ad", "user", "create"],
  summary: "Create a user.",
  options,
  examples: [
    {
      text: "Create a user.",
      command: "keyless ad user create --display-name Alice --user-principal-name alice@contoso.keyless --password 'S3cret-pass'",
    },
  ],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const upn = opts["user-principal-name"];
    const { body } = await client.graph("POST", "/users", {
      body: {
        accountEnabled: true,
        displayName: opts["display-name"],
        userPrincipalName: upn,
        mailNickname: opts["mail-nickname"] ?? upn.split("@")[0],
        passwordProfile: { password: opts.password, forceChangePasswordNextSignIn: opts["force-change-password-next-sign-in"] === true },
      },
    });
    return body;
  },
});
