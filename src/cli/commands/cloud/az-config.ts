import { join } from "node:path";
import { NotFoundError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import type { Cloud } from "../../profile.ts";
import { requireCloud } from "../../session.ts";

export const options = {
  name: { type: "string", short: "n", help: "Name of a registered cloud; default: the active one." },
  env: {
    type: "boolean",
    help: "Print the shell lines (REQUESTS_CA_BUNDLE, AZURE_CONFIG_DIR, az cloud register/set) instead of the JSON.",
  },
} as const;

/** The `az cloud register --cloud-config` document for a server: an ADFS authority avoids MSAL instance discovery. */
export function azCloudConfig(cloud: Cloud) {
  return {
    endpoints: {
      activeDirectory: `${cloud.endpoint}/adfs`,
      activeDirectoryResourceId: "https://management.core.windows.net/",
      activeDirectoryGraphResourceId: "https://graph.windows.net/",
      microsoftGraphResourceId: `${cloud.endpoint}/graph/`,
      resourceManager: `${cloud.endpoint}/`,
      management: "https://management.core.windows.net/",
    },
  };
}

/** The folder of the `sitecustomize.py` that aliases `config` to `_config` for Debian's az 2.45 (shipped in the package). */
export const AZ_ROLE_FIX = join(import.meta.dirname, "..", "..", "az-role-fix");

export function azEnvLines(cloud: Cloud): string {
  return [
    ...(cloud.caPath
      ? [`export REQUESTS_CA_BUNDLE=${cloud.caPath}`]
      : ["# the server's certificate is publicly trusted: REQUESTS_CA_BUNDLE is not needed"]),
    `# optional, keeps this cloud apart from your usual Azure CLI profile:`,
    `export AZURE_CONFIG_DIR=$HOME/.azure-keyless-${cloud.name}`,
    `az cloud register -n ${cloud.name} --cloud-config @${cloud.name}-cloud.json   # the JSON from 'keyless cloud az-config -n ${cloud.name}'`,
    `az cloud set -n ${cloud.name}`,
    "# Debian's azure-cli 2.45 only: its 'az role' commands fail on the client (Azure/azure-cli#24959); this fixes them:",
    `export PYTHONPATH=${AZ_ROLE_FIX}\${PYTHONPATH:+:$PYTHONPATH}`,
    "",
  ].join("\n");
}

export const spec = command({
  path: ["cloud", "az-config"],
  summary: "Print what the real Azure CLI needs to use this server (az cloud register JSON, or --env lines).",
  options,
  examples: [
    {
      text: "Register the active server with the Azure CLI.",
      command: "keyless cloud az-config > local-cloud.json && az cloud register -n local --cloud-config @local-cloud.json",
    },
    { text: "Print the environment lines.", command: "keyless cloud az-config --env" },
  ],
  async run(opts, ctx) {
    const cloud = opts.name ? ctx.profile.cloud(opts.name) : requireCloud(ctx.profile);
    if (!cloud) throw new NotFoundError(`The cloud '${opts.name}' is not registered. Run 'keyless cloud list'.`, "CloudNotFound");
    if (opts.env) {
      ctx.io.stdout(azEnvLines(cloud));
      return undefined;
    }
    ctx.warn(
      `Save this JSON to a file and run (or see 'keyless cloud az-config --env'):\n${azEnvLines(cloud).trimEnd().replace(/^/gm, "  ")}`,
    );
    return azCloudConfig(cloud);
  },
});
