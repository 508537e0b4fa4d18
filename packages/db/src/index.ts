export * from "./client";
export * from "./data-dir-lock";
export * from "./embedded";
export * from "./execute";
export * from "./migrate";
export * as schema from "./schema";
export * from "./schema";
export * from "./backup";
