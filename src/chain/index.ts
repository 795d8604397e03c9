/** What every protocol shares: configuration, validators, selection, attestations, genesis. */
export * from "./config.js";
export * from "./validators.js";
export * from "./selection.js";
export * from "./attestation.js";
export * from "./genesis.js";
export * from "./values.js";
export * from "./anchor.js";
export * from "./observer.js";
