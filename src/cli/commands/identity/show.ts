import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { identityPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The identity's name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  "workload-env": {
    type: "boolean",
    help: "Print the shell lines a workload sets to get tokens as this identity (IDENTITY_ENDPOINT/IDENTITY_HEADER, AZURE_POD_IDENTITY_AUTHORITY_HOST, MSI_ENDPOINT) instead of the JSON. They hold the identity's endpoint secret; needs Owner or Contributor.",
  },
} as const;

export interface WorkloadEnvironment {
  appService: string[];
  imds: string[];
  azureCli: string[];
}

/** The server's lines as `export` lines, one block per client style, each saying who reads it. */
export function workloadEnvLines(env: WorkloadEnvironment): string {
  const block = (comment: string, lines: string[]) => [comment, ...lines.map((l) => `export ${l}`)];
  return [
    ...block("# App Service style: @azure/identity (ManagedIdentityCredential), MSAL, keyless login --identity", env.appService),
    ...block("# IMDS style: @azure/identity and MSAL send IMDS requests here", env.imds),
    ...block("# MSI_ENDPOINT: az login --identity and older SDKs", env.azureCli),
    "",
  ].join("\n");
}

export const spec = command({
  path: ["identity", "show"],
  summary: "Show a user-assigned managed identity.",
  options,
  examples: [
    { text: "An identity's principal id.", command: "keyless identity show -n app-id -g rg-ai --query principalId -o tsv" },
    {
      text: "The environment of a workload that runs as the identity.",
      command: "keyless identity show -n app-id -g rg-ai --workload-env > app-id.env",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = identityPath(subscriptionId, opts["resource-group"], opts.name);
    if (opts["workload-env"]) {
      const env = (await client.arm("POST", `${path}/listWorkloadEnvironment`, { query: { "api-version": API_VERSIONS.identity } }))
        .body as WorkloadEnvironment;
      ctx.io.stdout(workloadEnvLines(env));
      return undefined;
    }
    return (await client.arm("GET", path, { query: { "api-version": API_VERSIONS.identity } })).body;
  },
});
