/**
 * The client-safe half of the API: input schemas, their limits and the analysis phase names, for the
 * routers and the web forms alike. This module (and what it imports) must stay free of server code
 * (database, node:*, tRPC server): the web bundles it.
 */
export { ANALYSIS_TYPES, PHASES, PHASE_NUMBERS, type AnalysisType, type PhaseNumber } from "./analysis/types";
