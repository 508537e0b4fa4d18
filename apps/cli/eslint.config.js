import { config } from "@ucie/eslint-config";

export default config({ dir: import.meta.dirname });
