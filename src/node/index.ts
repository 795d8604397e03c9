/**
 * Groundwork for real nodes (DESIGN §8): network, store, clock and HTTP API shells, independent
 * of the protocol rules. The node assembly wires them to the protocol transitions.
 */
export * from "./clock.js";
export * from "./net/index.js";
export * from "./store/index.js";
export * from "./api/index.js";
