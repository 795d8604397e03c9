/** The node's HTTP API shell. */
export * from "./backend.js";
export * from "./schema.js";
export * from "./metrics.js";
export * from "./server.js";
