/**
 * The runtime's constants that need no binaryen: module limits and costs (limits.ts), instruction
 * weights and the instrumentation's export names (metering.ts), the entry points (prepare.ts). They
 * live here so that the runtime can run prepared code without loading binaryen; the modules named
 * re-export them. This file is part of what the prepared-code cache key hashes (codeCache.ts).
 */

/** Bounds on a contract module, checked at registration (BAD_WASM, with `limit` and the value found). */
export const MODULE_LIMITS = {
  /** Size of the module as submitted, in bytes. */
  moduleBytes: 512 * 1024,
  /** Functions, imported and defined. */
  functions: 4_096,
  /** Globals. */
  globals: 1_024,
  /** Tables (MVP: at most one), and the initial elements of a table. */
  tables: 1,
  tableElements: 4_096,
  /** Element segments, data segments. */
  elementSegments: 256,
  dataSegments: 1_024,
  /** Parameters plus locals of one function. */
  functionLocals: 2_048,
  /** Nesting depth of a function body's expressions (Binaryen IR). */
  expressionDepth: 128,
} as const;

/**
 * Frame slots are charged against STACK_LIMIT: a function's frame is FRAME_OVERHEAD + parameters +
 * locals (including those the instrumentation adds) + its deepest operand stack + LIMITER_SLOTS.
 */
export const STACK_LIMIT = 8_192;
export const FRAME_OVERHEAD = 8;
/** What the stack limiter itself adds to a frame (a result local, its own operands). */
export const LIMITER_SLOTS = 2;

/**
 * What instantiating a module costs, in metered instructions, without its start function (whose
 * count the runtime adds): a base (a new instance and a new linear memory, whose reservation and
 * release dominate), each initial memory page (allocated, zeroed, initialised and snapshotted), each
 * table element, each function, and the data segments' bytes. Calibrated against CPU time on the
 * development machine (docs/contracts.md): about 2.3 ns per metered instruction in a loop, and a
 * re-instantiation of a one-page module about 1–3 ms of CPU.
 */
export const INSTANTIATION_COSTS = {
  base: 500_000,
  page: 100_000,
  tableElement: 10,
  function: 10,
  /** per DATA_BYTES_PER_UNIT bytes of data segments */
  data: 1,
} as const;
export const DATA_BYTES_PER_UNIT = 16;

/** Weights of Binaryen IR nodes, charged at the start of their region. Unlisted nodes cost `default`. */
export const INSTRUCTION_COSTS = {
  /** every other node (arithmetic, locals, globals, loads, stores, branches, `if`, select, …) */
  default: 1,
  /** `block`, `loop`, `nop`: structure only */
  structural: 0,
  /** `call`, `call_indirect`; the callee's body is charged on its own entry */
  call: 5,
  /** `memory.grow`, plus GROW_PAGE_COST per page granted */
  memoryGrow: 100,
  /** `memory.copy`, `memory.fill`, plus 1 per BULK_BYTES_PER_UNIT bytes */
  bulkMemory: 5,
} as const;
export const BULK_BYTES_PER_UNIT = 16;
export const GROW_PAGE_COST = 1024;

/** Export names of the instrumentation globals. */
export const GAS_EXPORT = "__gas";
export const OOM_EXPORT = "__oom";
export const STACK_EXPORT = "__stack";
export const WATERMARK_EXPORT = "__watermark";
/** The instantiation charge (i64), set by the runtime before it saves the globals. */
export const INSTANTIATION_EXPORT = "__instantiation";
/** Whether a grow was granted since the globals were last restored (i32 0/1). */
export const GREW_EXPORT = "__grew";

export const MEMORY_EXPORT = "__memory";
/** `__save()`: clears the write watermark and grew flag and records every mutable global (once, after start). */
export const SAVE_EXPORT = "__save";
/**
 * Entry points, one per method `m`: `__run:m(budget: i64) → i64` restores every mutable global to
 * what `__save` recorded, sets the budget, runs `m` and returns the budget left.
 */
export const RUN_EXPORT_PREFIX = "__run:";
