// `pnpm --filter @ucie/cli build` (turbo runs it for `pnpm cli`): dist/main.js, run with plain node
import { bundleApp } from "@ucie/config/bundle";

await bundleApp({ entry: "src/main.ts" });
