import { CliError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import { requireCloud } from "../../session.ts";

export const options = {
  username: { type: "string", help: "Account user to log out; default: the user of the default account." },
} as const;

export const spec = command({
  path: ["logout"],
  summary: "Log out to remove access to the cloud's subscriptions; forgets the cached tokens and secrets.",
  options,
  examples: [{ text: "Log out the active user.", command: "keyless logout" }],
  async run(opts, ctx) {
    const cloud = requireCloud(ctx.profile);
    const username = opts.username ?? ctx.profile.accounts(cloud.name).find((a) => a.isDefault)?.user.name;
    if (!username) throw new CliError("There are no active accounts.", { code: "NotLoggedIn" });
    ctx.profile.removeUser(cloud.name, username);
    return undefined;
  },
});
