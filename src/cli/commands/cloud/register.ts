import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../../cli-error.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "Name of the registered cloud." },
  endpoint: { type: "string", required: true, help: "The server's origin, e.g. https://localhost:8443." },
  "ca-file": { type: "string", help: "PEM file of the CA to trust for this server (its data dir's tls/ca.pem)." },
} as const;

export const spec = command({
  path: ["cloud", "register"],
  summary: "Register a Keyless server as a named cloud.",
  options,
  examples: [
    {
      text: "Register a local server and trust its CA.",
      command: "keyless cloud register -n local --endpoint https://localhost:8443 --ca-file .keyless/tls/ca.pem",
    },
  ],
  async run(opts, ctx) {
    let endpoint: URL;
    try {
      endpoint = new URL(opts.endpoint);
    } catch {
      throw new UsageError(`argument --endpoint: '${opts.endpoint}' is not a URL. Give the server's origin, e.g. https://localhost:8443.`);
    }
    if (endpoint.protocol !== "https:") throw new UsageError("argument --endpoint: Keyless serves HTTPS only; give an https:// URL.");
    const caPath = opts["ca-file"] && resolve(opts["ca-file"]);
    if (caPath && !existsSync(caPath)) throw new UsageError(`argument --ca-file: '${caPath}' does not exist.`);
    const cloud = { name: opts.name, endpoint: endpoint.origin, ...(caPath ? { caPath } : {}) };
    ctx.profile.putCloud(cloud);
    if (!ctx.profile.activeCloud()) ctx.profile.setActiveCloud(cloud.name);
    return undefined;
  },
});
