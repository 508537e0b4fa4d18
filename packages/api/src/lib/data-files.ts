import { createRequire } from "node:module";
import path from "node:path";

let packageRoot: string | undefined;

/**
 * A file shipped in packages/api/data. Found through the package, not through this module's folder, so the
 * same code works from the TypeScript source and from the compiled server, where every module shares one file.
 */
export function dataFile(name: string): string {
  return path.join(apiRoot(), "data", name);
}

/** A file of one of @ucie/api's own dependencies (`pkg/path`), resolved from the package, for the same reason. */
export function dependencyFile(specifier: string): string {
  return createRequire(path.join(apiRoot(), "package.json")).resolve(specifier);
}

function apiRoot(): string {
  packageRoot ??= path.dirname(createRequire(import.meta.url).resolve("@ucie/api/package.json"));
  return packageRoot;
}
