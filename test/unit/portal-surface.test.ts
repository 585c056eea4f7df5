import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Fastify from "fastify";
import { portalSurface } from "../../src/http/portal-surface.ts";

const dir = mkdtempSync(join(tmpdir(), "keyless-portal-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function serve(root: string) {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  await app.register(portalSurface, { root });
  return app;
}

test("serves the built portal: pages get index.html (no-cache), hashed assets are immutable, a missing asset is 404", async () => {
  const root = join(dir, "built");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>portal</title>");
  writeFileSync(join(root, "assets", "index-abc.js"), "console.log(1)");
  const app = await serve(root);
  for (const url of ["/portal", "/portal/", "/portal/subscriptions/x/resourceGroups/y?tab=iam"]) {
    const page = await app.inject(url);
    assert.equal(page.statusCode, 200, url);
    assert.match(page.body, /<title>portal<\/title>/);
    assert.equal(page.headers["cache-control"], "no-cache");
    assert.equal(page.headers["x-frame-options"], "DENY");
    assert.match(String(page.headers["content-security-policy"]), /script-src 'self';.*frame-ancestors 'none'/);
  }
  const asset = await app.inject("/portal/assets/index-abc.js");
  assert.equal(asset.statusCode, 200);
  assert.equal(asset.headers["cache-control"], "public, max-age=31536000, immutable");
  assert.equal((await app.inject("/portal/assets/index-old.js")).statusCode, 404);
  await app.close();
});

test("without a build, /portal/ says how to build it", async () => {
  const app = await serve(join(dir, "missing"));
  const response = await app.inject("/portal/");
  assert.equal(response.statusCode, 503);
  assert.match(response.body, /npm install/);
  await app.close();
});
