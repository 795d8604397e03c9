/** Transaction programs and signed transactions (docs/programs.md). */
export * from "./constants.js";
export type * from "./types.js";
export type { ProgramError, ProgramErrorCode, TxErrorCode } from "./errors.js";
export { encodeBool, encodeU64, decodeU64, isU64 } from "./values.js";
export { validateProgram, isValidContractId, isValidMethod, isPureOpName } from "./validate.js";
export { encodeProgram, decodeProgram, encodeTx, decodeTx, encodeSignedTx, decodeSignedTx, computeSignedTxSize } from "./codec.js";
export { ProgramType, TxType, SignedTxType } from "./ssz.js";
export { ProgramBuilder, lit, u64, bool, utf8, ref } from "./builder.js";
export { programFromJson, programToJson, literalFromJson, defaultResolveName } from "./json.js";
export type { ArgJson, StepJson, ProgramJson, NameResolver } from "./json.js";
export { evaluatePureOp } from "./ops.js";
export { evaluateProgram } from "./evaluate.js";
export type { CallOutcome, CallHandler, EvalOptions, ProgramRun, StepFailure } from "./evaluate.js";
export { computeFootprint } from "./footprint.js";
export { computeTxSigningMessage, signTx, signTxLater, verifySignedTx, computeTxId, LaterSigning, type LaterSigner } from "./tx.js";
