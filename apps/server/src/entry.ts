/**
 * The compiled server's entry (dist/main.js). Node 22+ keeps V8's compiled code of the bundle and of the
 * packages it loads in a cache between starts, which saves a few hundred milliseconds of every restart;
 * the cache must be on before those modules load, hence this tiny first module.
 */
import module from "node:module";

module.enableCompileCache?.();
await import("./main");
