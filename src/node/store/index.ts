/** The node's embedded store (LMDB). */
export * from "./buckets.js";
export * from "./store.js";
export * from "./protection.js";
