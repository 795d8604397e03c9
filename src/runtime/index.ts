/**
 * The WebAssembly contract runtime: metered, memory-limited, deterministic execution of contract
 * calls, the host interface, and the library contracts. See docs/contracts.md.
 */
export { Runtime, DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions, type CallRequest, type CallResult } from "./runtime.js";
export {
  computeSuccessorId,
  HOST_COSTS,
  HOST_IMPORTS,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  MAX_ORIGIN_METHOD_BYTES,
  type CallFailure,
  type CallFailureKind,
  type CreatedContract,
} from "./host.js";
export { getKeyHex } from "./keys.js";
export { INSTRUCTION_COSTS, BULK_BYTES_PER_UNIT, GROW_PAGE_COST } from "./constants.js";
export { MODULE_LIMITS, STACK_LIMIT, FRAME_OVERHEAD, LIMITER_SLOTS, INSTANTIATION_COSTS, DATA_BYTES_PER_UNIT } from "./constants.js";
export { LIBRARY_CONTRACTS, isLibraryContract, loadLibraryWasm, type LibraryContractName } from "./library.js";
export * from "./abi.js";
export { loadPreparer } from "./preparer.js";
export { codeCacheStats, type CodeCacheStats } from "./codeCache.js";
