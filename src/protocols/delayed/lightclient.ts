/**
 * Light clients of the two-stage chain: outcome proofs (`lightclient/proof.ts`), the trust anchor
 * and what is derived from it (`lightclient/anchor.ts`), verification of one or many proofs
 * (`lightclient/verify.ts`). See docs/protocols/lightclient.md.
 */
export * from "./lightclient/proof.js";
export * from "./lightclient/anchor.js";
export * from "./lightclient/verify.js";
