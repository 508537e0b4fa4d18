import { config } from "@ucie/eslint-config";

// public/ holds files served as they are (the service worker sw.js): plain browser JS outside the TypeScript project
export default [{ ignores: ["public/**"] }, ...config({ dir: import.meta.dirname, react: true })];
