export * from "./auth";
export * from "./market";
export * from "./analysis";
export * from "./alerts";
export * from "./jobs";
export * from "./notifications";
export * from "./screener";
export * from "./preferences";
