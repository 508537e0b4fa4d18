// One lint configuration for every package. Type-aware rules (floating and misused promises, unsafe `any`) need
// the TypeScript compiler API, which TypeScript 7 no longer exposes: this package pins TypeScript 6 for
// typescript-eslint alone, while `tsc` everywhere else stays on 7.
import js from "@eslint/js";
import pluginQuery from "@tanstack/eslint-plugin-query";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * @param {{ dir: string, react?: boolean }} options `dir`: the package folder (its tsconfig.json gives the types);
 *   `react`: add the React hooks and TanStack Query rules.
 */
export function config({ dir, react = false }) {
  return tseslint.config(
    { ignores: ["**/dist/**", "**/node_modules/**", "**/.data/**", "**/results/**", "eslint.config.js"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        globals: react ? { ...globals.browser } : { ...globals.node },
        parserOptions: { projectService: true, tsconfigRootDir: dir },
      },
      plugins: { "import-x": importX },
      settings: {
        ...importX.flatConfigs.typescript.settings,
        "import-x/resolver": undefined,
        "import-x/resolver-next": [createTypeScriptImportResolver({ project: `${dir}/tsconfig.json` })],
      },
      linterOptions: { reportUnusedDisableDirectives: "error" },
      rules: {
        "import-x/no-cycle": ["error", { ignoreExternal: true }],
        // Off on purpose: an `async` method without `await` still turns a throw into a rejection, which callers of the
        // async interfaces it implements (market sources, mailers, jobs) rely on; `Promise.resolve(...)` would not.
        "@typescript-eslint/require-await": "off",
        // Forwarding a reason we did not create (a caught value, an AbortSignal's reason) is fine; rejecting with a
        // string or a plain object is still an error.
        "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      },
    },
    {
      // Vitest's asymmetric matchers (`expect.any(String)`, `expect.stringContaining(...)`) are typed `any`.
      files: ["**/*.test.ts", "**/*.test.tsx"],
      rules: { "@typescript-eslint/no-unsafe-assignment": "off", "@typescript-eslint/no-unsafe-return": "off" },
    },
    ...(react ? [reactHooks.configs.flat.recommended, ...pluginQuery.configs["flat/recommended"]] : []),
    // build scripts (plain .mjs outside every tsconfig): checked by the base rules, without type information
    { files: ["**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  );
}
