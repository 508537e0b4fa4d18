/**
 * Compile a Node app of this workspace (apps/server, apps/cli) with the workspace packages it imports into
 * plain JavaScript in the app's dist/, so production runs `node dist/main.js` with no TypeScript loader.
 * esbuild: already in the tree (tsx and Vite use it), bundles the whole graph in under a second, no config.
 *
 * Third-party code is bundled too, except what must stay a real package on disk (`external`), which is then
 * resolved from the app's own node_modules and so must be a dependency of the app:
 * - @node-rs/argon2: a native addon;
 * - @electric-sql/pglite: finds its .wasm and .data files (and extensions) next to its own modules;
 * - pino, pino-pretty: pino's transports run in a worker thread that loads files from pino's own folder.
 * Files read at run time (migrations, bundled market data, the password blocklist, the built SPA) are found
 * through their packages (`createRequire(...).resolve("@ucie/x/package.json")`), so nothing is copied.
 */
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

export const NODE_EXTERNALS = ["@node-rs/argon2", "@electric-sql/pglite", "pino", "pino-pretty"];

/**
 * Bundle `entry` (run from the app's folder) into dist/main.js. The bundle's first module turns on Node's
 * compile cache (22+: V8 keeps the compiled code between starts, a few hundred ms of every restart) and only
 * then imports the app, in a chunk of its own, because the cache applies only to modules loaded after it.
 * PGlite's modules are loaded with `import()` where they are used, so with code splitting they sit in a chunk
 * a process on Postgres never loads.
 */
export async function bundleApp({ entry, external = NODE_EXTERNALS }) {
  const app = process.cwd();
  // fail the build, not the first start, when an external is no longer a dependency of the app
  const missing = external.filter((name) => !existsSync(path.join(app, "node_modules", name, "package.json")));
  if (missing.length) {
    console.error(`${path.basename(app)} build: ${missing.join(", ")} must be dependencies of the app (they stay outside the bundle)`);
    process.exit(1);
  }
  const entryModule = {
    name: "compile-cache-entry",
    setup(b) {
      b.onResolve({ filter: /^ucie:entry$/ }, () => ({ path: "entry", namespace: "ucie" }));
      b.onLoad({ filter: /.*/, namespace: "ucie" }, () => ({
        contents: `import module from "node:module";\nmodule.enableCompileCache?.();\nawait import(${JSON.stringify(path.resolve(app, entry))});\n`,
        resolveDir: app,
        loader: "js",
      }));
    },
  };
  rmSync(path.join(app, "dist"), { recursive: true, force: true });
  await build({
    entryPoints: [{ in: "ucie:entry", out: "main" }],
    outdir: path.join(app, "dist"),
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    platform: "node",
    format: "esm",
    target: "node22",
    external,
    plugins: [entryModule],
    // readable stack traces without source maps; class and function names kept as written
    keepNames: true,
    // for mapped stack traces run with NODE_OPTIONS=--enable-source-maps (off by default: it costs ~25 MB)
    sourcemap: "linked",
    // bundled CommonJS modules call require() for Node's built-ins
    banner: {
      js: 'import { createRequire as __ucieCreateRequire } from "node:module"; const require = __ucieCreateRequire(import.meta.url);',
    },
    logLevel: "warning",
    // sentiment can require() other languages by name; UCIE uses only its built-in English
    logOverride: { "empty-glob": "silent" },
  });
}
