/**
 * Compile the server (and the workspace packages it imports) into one plain-JavaScript file, dist/main.js,
 * that `node` runs with no TypeScript loader. esbuild: already in the tree (tsx and vite use it), bundles the
 * whole graph in well under a second, and needs no config beyond this file.
 *
 * Everything is bundled except what must stay a real package on disk at run time; those are resolved from
 * apps/server, so they are (and must stay) dependencies of @ucie/server itself:
 * - @node-rs/argon2: a native addon;
 * - @electric-sql/pglite: finds its .wasm and .data files (and extensions) next to its own modules;
 * - pino, pino-pretty: pino's transports run in a worker thread that loads files from pino's own folder.
 * Files read at run time (migrations, the bundled market data, the password blocklist) are found through
 * their package (`@ucie/db`, `@ucie/api`), so they are not copied.
 */
import { rmSync } from "node:fs";
import { build } from "esbuild";

const external = ["@node-rs/argon2", "@electric-sql/pglite", "pino", "pino-pretty"];

// fail the build, not the first start, when one of them is no longer a dependency of the server
const missing = external.filter((name) => {
  try {
    import.meta.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length) {
  console.error(`@ucie/server build: ${missing.join(", ")} must be dependencies of apps/server (they stay outside the bundle)`);
  process.exit(1);
}

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { main: "src/entry.ts" },
  outdir: "dist",
  bundle: true,
  // modules only PGlite needs go to a chunk of their own, loaded only when the database is PGlite
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node22",
  external,
  // readable stack traces without source maps; class and function names kept as written
  keepNames: true,
  sourcemap: "linked",
  // bundled CommonJS modules call require() for Node's built-ins
  banner: {
    js: 'import { createRequire as __ucieCreateRequire } from "node:module"; const require = __ucieCreateRequire(import.meta.url);',
  },
  logLevel: "warning",
  // sentiment can require() other languages by name; UCIE uses only its built-in English
  logOverride: { "empty-glob": "silent" },
});
