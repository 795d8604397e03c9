/**
 * The pure rules of the receipts design (DESIGN §3), one function per rule, gathered from the
 * files that hold them: fees.ts (fee market, gas), segments.ts (where segments start and stop,
 * outcomes), claims.ts (nonsequential claims), consume/ (the consume modes' own rules).
 */
export * from "./fees.js";
export * from "./segments.js";
export * from "./claims.js";
export { computeNextInOrder, getExpectedNonce, isForcedSlotLeft, processSequentialReceipt, type InboundNonces } from "./consume/sequential.js";
export { compareByFee } from "./consume/passive.js";
