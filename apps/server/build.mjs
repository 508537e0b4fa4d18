// `pnpm --filter @ucie/server build` (turbo runs it for `pnpm start`): dist/main.js, run with plain node
import { bundleApp } from "@ucie/config/bundle";

await bundleApp({ entry: "src/main.ts" });
