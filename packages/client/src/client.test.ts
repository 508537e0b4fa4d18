/**
 * The package carries no server code: walking the runtime imports from index.ts (every `import` and
 * `export … from` that is not `import type`) finds only the client libraries and its own files.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_BATCH_CALLS } from "@ucie/api/limits";
import { describe, expect, it } from "vitest";
import { createUcieClient, reconnectDelayMs, SERVER_BATCH_LIMIT } from "./index";

const here = dirname(fileURLToPath(import.meta.url));
const ALLOWED = new Set(["@trpc/client", "eventsource", "superjson"]);

/** Specifiers a module loads at run time (type-only imports and exports are erased). */
export function runtimeImports(source: string): string[] {
  const out: string[] = [];
  const statement =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of source.matchAll(statement)) {
    if (m[5] ?? m[6]) out.push((m[5] ?? m[6])!);
    else if (!m[2] && !/^\{\s*(type\s+[\w$]+\s*,?\s*)+\}$/.test(m[3]!.trim())) out.push(m[4]!);
  }
  return out;
}

function graph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    for (const spec of runtimeImports(readFileSync(file, "utf8"))) {
      if (spec.startsWith(".")) queue.push(resolve(dirname(file), spec.endsWith(".ts") ? spec : `${spec}.ts`));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

describe("@ucie/client", () => {
  it("loads no server module at run time: only @trpc/client, eventsource and superjson", () => {
    const { files, packages } = graph(resolve(here, "index.ts"));
    expect(files.every((f) => f.startsWith(here))).toBe(true);
    expect([...packages].filter((p) => !ALLOWED.has(p))).toEqual([]);
    expect(readFileSync(resolve(here, "index.ts"), "utf8")).toMatch(/import type \{[^}]*AppRouter[^}]*\} from "@ucie\/api"/);
  });

  it("tells a type import from a runtime one", () => {
    expect(runtimeImports(`import type { A } from "@ucie/api";\nimport { b } from "x";\nexport { type C } from "y";\nimport "z";`)).toEqual(
      ["x", "z"],
    );
  });

  it("batches no more calls than the server accepts", () => {
    expect(SERVER_BATCH_LIMIT).toBe(MAX_BATCH_CALLS);
  });

  it("reconnects after jittered, growing, capped delays", () => {
    expect(reconnectDelayMs(1, () => 0)).toBe(250);
    expect(reconnectDelayMs(1, () => 1)).toBe(500);
    expect(reconnectDelayMs(3, () => 0.5)).toBe(1500);
    expect(reconnectDelayMs(50, () => 1)).toBe(30_000);
  });

  it("builds a client without touching the network", () => {
    const client = createUcieClient({ url: "http://127.0.0.1:9/", token: "ucie_pat_x" });
    expect(typeof client.watchlist.list.query).toBe("function");
  });
});
