import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { portalPageHeaders } from "./response-policy.ts";

/** Where `npm install` (the `prepare` script's `vite build`) puts the portal's static files. */
export const PORTAL_DIR = resolve(import.meta.dirname, "..", "..", "build", "portal");

/**
 * The admin portal at `/portal/`: static files only, on the service's own origin. Everything the portal shows
 * comes from the ordinary ARM, Graph and data-plane calls it makes with the signed-in user's tokens; this surface
 * serves no data and has no routes of its own. Paths that are not files (the portal's own pages, e.g.
 * `/portal/subscriptions/…`) get index.html so a reload or a shared link opens the right page. The files are
 * listed once at start (wildcard: false), so a rebuild needs a restart.
 */
export async function portalSurface(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? PORTAL_DIR;
  if (!existsSync(join(root, "index.html"))) {
    const notBuilt = async (_req: FastifyRequest, reply: FastifyReply) =>
      reply.code(503).type("text/plain; charset=utf-8").send("The portal is not built: run `npm install` (it runs `vite build`).");
    app.get("/portal", notBuilt);
    app.get("/portal/*", notBuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: "/portal/",
    wildcard: false,
    preCompressed: true,
    index: false,
    setHeaders: (reply, path) => {
      // Vite names assets by content hash, so they never change; index.html must always be fetched anew.
      reply.header("cache-control", path.startsWith(join(root, "assets")) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  // A missing file (a name with an extension, e.g. an asset of an older build) is a 404, not the page.
  const page = async (req: FastifyRequest, reply: FastifyReply) =>
    /\.[a-z0-9]+$/i.test(req.url.split("?")[0]!)
      ? reply.code(404).type("text/plain; charset=utf-8").send("Not found.")
      : portalPageHeaders(reply).sendFile("index.html");
  app.get("/portal", page);
  app.get("/portal/*", page);
}
