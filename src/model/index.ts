export * from "./names.js";
export * from "./duration.js";
export * from "./sources.js";
export * from "./resources.js";
export * from "./environment.js";
export * from "./stack.js";
export * from "./address.js";
export * from "./diagnostic.js";
