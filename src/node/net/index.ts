/** The node's network: one interface, a libp2p and an in-memory implementation. */
export * from "./types.js";
export * from "./topics.js";
export * from "./reqresp.js";
export * from "./scoring.js";
export * from "./inbound.js";
export * from "./memory.js";
export * from "./libp2p.js";
