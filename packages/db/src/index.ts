export * from "./client";
export * from "./execute";
export * from "./migrate";
export * as schema from "./schema";
export * from "./schema";
