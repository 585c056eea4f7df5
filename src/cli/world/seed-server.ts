import { API_VERSIONS, createKeylessClient } from "../../client/keyless-client.ts";
import { createTokenClient } from "../../client/token-client.ts";
import { createTransport } from "../../client/transport.ts";
import { CliError } from "../cli-error.ts";
import type { Context, StartedServer } from "../command.ts";
import { applyWorld, type Change } from "./apply-world.ts";
import type { World } from "./world-file.ts";

/**
 * `serve --seed`: applies the world through the REST API as the bootstrap administrator, then prints one
 * `KEYLESS_SEEDED {json}` line (what changed, with any new client secrets) before the ready line.
 */
export async function seedServer(file: string, world: World, server: StartedServer, ctx: Context): Promise<void> {
  const changes = await applyWorldAsAdministrator(world, server);
  ctx.io.stdout(`KEYLESS_SEEDED ${JSON.stringify({ file, changes })}\n`);
}

/** Applies a world to a server just started, signed in as its bootstrap administrator (keyless/testing uses it too). */
export async function applyWorldAsAdministrator(
  world: World,
  server: Pick<StartedServer, "url" | "caPath" | "tenantId" | "adminUsername" | "adminPassword">,
): Promise<Change[]> {
  if (!server.adminPassword) {
    throw new CliError(
      "serve --seed needs the administrator's password on a data dir that already exists: set KEYLESS_ADMIN_PASSWORD (or --admin-password).",
      { code: "AdminPasswordUnknown" },
    );
  }
  const adminPassword = server.adminPassword;
  const transport = createTransport({ caPath: server.caPath });
  try {
    const tokens = createTokenClient(transport, server.url);
    const cache = new Map<string, string>();
    const grant = { kind: "password" as const, username: server.adminUsername, password: adminPassword };
    const client = createKeylessClient(transport, server.url, async (resource) => {
      const cached = cache.get(resource) ?? (await tokens.token(server.tenantId, grant, resource)).accessToken;
      cache.set(resource, cached);
      return cached;
    });
    const subscriptions = (await client.list("arm", "/subscriptions", { "api-version": API_VERSIONS.subscriptions })) as {
      subscriptionId: string;
    }[];
    const subscriptionId = subscriptions[0]?.subscriptionId;
    if (!subscriptionId) throw new CliError("The administrator sees no subscription to seed.", { code: "NoSubscriptions" });
    return await applyWorld(client, subscriptionId, world);
  } finally {
    await transport.close();
  }
}
