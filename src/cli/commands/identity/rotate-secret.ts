import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { identityPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { type WorkloadEnvironment, workloadEnvLines } from "./show.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The identity's name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  "workload-env": {
    type: "boolean",
    help: "Print the new settings as the shell lines a workload sets (as `identity show --workload-env`) instead of the JSON.",
  },
} as const;

export const spec = command({
  path: ["identity", "rotate-secret"],
  summary:
    "Replace a user-assigned identity's endpoint secret (the old one stops working at once); the identity, its ids and role assignments stay. Prints the new workload settings.",
  options,
  examples: [
    {
      text: "Rotate a leaked secret and write the workload's new settings.",
      command: "keyless identity rotate-secret -n app-id -g rg-ai --workload-env > app-id.env",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = identityPath(subscriptionId, opts["resource-group"], opts.name);
    const env = (await client.arm("POST", `${path}/rotateSecret`, { query: { "api-version": API_VERSIONS.identity } }))
      .body as WorkloadEnvironment;
    if (!opts["workload-env"]) return env;
    ctx.io.stdout(workloadEnvLines(env));
    return undefined;
  },
});
