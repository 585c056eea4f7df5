import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";

/** Writes .br and .gz beside each text asset, so @fastify/static (preCompressed) sends them without compressing per request. */
function precompress(): Plugin {
  return {
    name: "keyless-precompress",
    apply: "build",
    writeBundle(options, bundle) {
      for (const name of Object.keys(bundle).filter((n) => /\.(js|css|html|svg)$/.test(n))) {
        const path = join(options.dir!, name);
        const content = readFileSync(path);
        writeFileSync(`${path}.br`, brotliCompressSync(content));
        writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

// The portal is built once at install (`npm install` runs `vite build` from the `prepare` script) into
// build/portal, which the service serves under /portal/. Vite's own transform compiles the TSX (React's automatic
// JSX runtime); no React plugin is needed because there is no dev server with hot reload to feed.
export default defineConfig({
  root: resolve(import.meta.dirname, "..", "src", "web"),
  base: "/portal/",
  logLevel: "warn",
  plugins: [precompress()],
  build: {
    outDir: resolve(import.meta.dirname, "..", "build", "portal"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
    reportCompressedSize: false,
    rollupOptions: {
      // Fluent UI marks its modules "use client" for React Server Components; a browser bundle has no use for it.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
});
