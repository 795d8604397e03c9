/**
 * The WebAssembly contract runtime: registers code once (validated, metered, compiled), keeps one
 * instance per code hash, and runs calls against a read-only StateView.
 *
 * - A call never mutates state: it returns its write set, and only when it succeeds. Ending a
 *   contract and refusing calls to an ended contract is the caller's job (a call reports
 *   `ended: true`).
 * - Calls do not leak into each other: each call starts with the instance's mutable globals as they
 *   were right after instantiation and ends by restoring its linear memory to that state (up to the
 *   write watermark: what the call can have changed). An instance whose memory grew during a call
 *   is dropped (memory cannot shrink) and the next call instantiates afresh.
 * - Execution is metered (metering.ts): the same call on the same state uses the same number of
 *   instructions, and a call that exceeds its budget fails `out-of-budget`.
 */
import type { Address, ContractId, StateView, Value, WriteSet } from "../types.js";
import { XshardError } from "../errors.js";
import { contractPrincipal, sha256, toHex } from "../crypto/hash.js";
import {
  CallAbort,
  CallContext,
  MemoryView,
  createHostImports,
  type CallFailure,
  type CreatedContract,
  type HostBinding,
  type HostServices,
} from "./host.js";
import { KeyCache } from "./keys.js";
import {
  GAS_EXPORT, INSTANTIATION_EXPORT, MEMORY_EXPORT, OOM_EXPORT, RUN_EXPORT_PREFIX, SAVE_EXPORT, STACK_EXPORT, STACK_LIMIT, WATERMARK_EXPORT,
} from "./constants.js";
import type { PreparedCode } from "./prepare.js";
import { defaultPreparedCodeDirs, getPreparedCode } from "./codeCache.js";
import { prepareCode } from "./preparer.js";
import { WebAssemblyApi, type WasmGlobal, type WasmInstance, type WasmMemory, type WasmModule } from "./wasm.js";

export type { CallFailure, CallFailureKind, CreatedContract } from "./host.js";

export interface RuntimeOptions {
  /** Default budget of a call, in metered instructions. */
  readonly instructionBudget: bigint;
  /** Maximum linear memory of a contract, in 64 KiB pages. */
  readonly memoryPages: number;
  /**
   * Where prepared code is cached on disk (codeCache.ts): a directory, null for no disk cache, or
   * absent for the default locations. Never changes a result.
   */
  readonly preparedCodeDir?: string | null;
}

export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = { instructionBudget: 10_000_000n, memoryPages: 16 };

export interface CallRequest {
  readonly contract: ContractId;
  readonly codeHash: string;
  readonly state: StateView;
  /** 32-byte address of the transaction sender. */
  readonly caller: Address;
  readonly method: string;
  readonly args: readonly Value[];
  /** 32-byte transaction id (successor ids derive from it). */
  readonly txId: Uint8Array;
  /** Defaults to the runtime's instructionBudget. */
  readonly budget?: bigint;
  /** Index of this call's first successor within the transaction (default 0). */
  readonly successorIndex?: number;
}

export type CallResult =
  | {
      readonly ok: true;
      readonly returnData: Uint8Array;
      readonly writes: WriteSet;
      readonly created: CreatedContract[];
      readonly ended: boolean;
      readonly instructions: bigint;
    }
  | { readonly ok: false; readonly failure: CallFailure; readonly instructions: bigint };

const MAX_I64 = 2n ** 63n - 1n;
const MAX_U32 = 2 ** 32 - 1;
const ADDRESS_BYTES = 32;
const MAX_MEMORY_PAGES = 65_536;
/** Memory is restored in multiples of this many bytes (a view of the snapshot per multiple, kept). */
const RESTORE_GRANULE = 1024;

/** A live instance and what it takes to reset it. */
interface LiveInstance {
  readonly view: MemoryView;
  readonly gas: WasmGlobal;
  readonly oom: WasmGlobal;
  readonly stack: WasmGlobal;
  readonly watermark: WasmGlobal;
  /** Entry point of each method: restores the globals, sets the budget, returns the budget left. */
  readonly entryPoints: ReadonlyMap<string, (budget: bigint) => bigint>;
  readonly memorySnapshot: Uint8Array;
  /** `memorySnapshot.subarray(0, k × RESTORE_GRANULE)` by k, made when first needed. */
  readonly snapshotPrefixes: Uint8Array[];
  readonly binding: HostBinding;
}

interface RegisteredCode {
  readonly hash: Uint8Array;
  readonly module: WasmModule;
  readonly methods: ReadonlySet<string>;
  /** What instantiating costs: the static part, plus the start function's count once measured. */
  instantiationCost: bigint;
  startMeasured: boolean;
  instance: LiveInstance | null;
}

/** Compiled modules by prepared code: runtimes of one process share them (the prepared code is cached per process). */
const compiledModules = new WeakMap<PreparedCode, WasmModule>();

function compile(prepared: PreparedCode): WasmModule {
  let module = compiledModules.get(prepared);
  if (module === undefined) {
    module = new WebAssemblyApi.Module(prepared.bytes);
    compiledModules.set(prepared, module);
  }
  return module;
}

function badCall(message: string, data: Record<string, unknown> = {}): XshardError {
  return new XshardError("BAD_CALL", message, data);
}

/**
 * instructions = budget − remaining + what a host function that failed had charged (its wrapper
 * never subtracted it), capped at the budget.
 */
function computeInstructions(budget: bigint, remaining: bigint, unsettled: number): bigint {
  const used = budget - remaining + BigInt(unsettled);
  return used > budget ? budget : used;
}

function isNativeStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

function assertValidRequest(req: CallRequest, budget: bigint, successorIndex: number): void {
  if (req.caller.length !== ADDRESS_BYTES) throw badCall(`caller must be ${ADDRESS_BYTES} bytes`, { length: req.caller.length });
  if (req.txId.length !== ADDRESS_BYTES) throw badCall(`txId must be ${ADDRESS_BYTES} bytes`, { length: req.txId.length });
  if (budget <= 0n || budget > MAX_I64) throw badCall("budget must be in [1, 2^63 - 1]", { budget: String(budget) });
  if (!Number.isInteger(successorIndex) || successorIndex < 0 || successorIndex > MAX_U32) {
    throw badCall("successorIndex must be an integer in [0, 2^32 - 1]", { successorIndex });
  }
}

/**
 * Classifies what a call threw: a host sentinel, or a wasm trap read through the instrumentation
 * globals (budget below zero → out-of-budget; last memory.grow failed → out-of-memory; stack
 * global above STACK_LIMIT → call stack exhausted). Anything else (a StateView that throws, a bug)
 * is not the contract's failure and propagates. So does an overflow of the engine's native stack:
 * the metered limit is meant to trigger long before it, so an overflow means the host runs with a
 * stack too small for the guarantee, and a result classified from it would depend on the engine.
 */
function classifyFailure(e: unknown, live: LiveInstance, memoryPages: number): CallFailure {
  if (e instanceof CallAbort) return e.failure;
  if (isNativeStackOverflow(e)) {
    throw new XshardError(
      "NATIVE_STACK_EXHAUSTED",
      "the engine's native stack overflowed before the metered stack limit (run node with a larger --stack-size)",
      { stackSlots: live.stack.value as number, limit: STACK_LIMIT },
      { cause: e },
    );
  }
  if (!(e instanceof WebAssemblyApi.RuntimeError)) throw e;
  if ((live.gas.value as bigint) < 0n) return { kind: "out-of-budget", message: "instruction budget exhausted" };
  if (live.oom.value === 1) return { kind: "out-of-memory", message: `memory limit of ${memoryPages} pages reached` };
  if ((live.stack.value as number) > STACK_LIMIT) return { kind: "trap", message: "call stack exhausted" };
  return { kind: "trap", message: (e as Error).message };
}

export class Runtime {
  readonly options: RuntimeOptions;
  private readonly codes = new Map<string, RegisteredCode>();
  private readonly principals = new Map<ContractId, Uint8Array>();
  /** Directories of the on-disk prepared-code cache, in lookup order. */
  private readonly preparedCodeDirs: readonly string[];
  private instantiationCount = 0;
  /** Calls in progress (a StateView may call into other code). */
  private depth = 0;
  private readonly services: HostServices = {
    keys: new KeyCache(),
    isKnownCode: (h) => this.codes.has(h),
    principalOf: (id) => this.getPrincipal(id),
  };

  constructor(opts: Partial<RuntimeOptions> = {}) {
    this.options = { ...DEFAULT_RUNTIME_OPTIONS, ...opts };
    const { instructionBudget, memoryPages } = this.options;
    if (instructionBudget <= 0n || instructionBudget > MAX_I64) {
      throw new XshardError("BAD_RUNTIME_OPTIONS", "instructionBudget must be in [1, 2^63 - 1]", { instructionBudget: String(instructionBudget) });
    }
    if (!Number.isInteger(memoryPages) || memoryPages < 1 || memoryPages > MAX_MEMORY_PAGES) {
      throw new XshardError("BAD_RUNTIME_OPTIONS", `memoryPages must be an integer in [1, ${MAX_MEMORY_PAGES}]`, { memoryPages });
    }
    const dir = this.options.preparedCodeDir;
    this.preparedCodeDirs = dir === undefined ? defaultPreparedCodeDirs() : dir === null ? [] : [dir];
  }

  /** How many instances this runtime has created (for tests of the instance cache). */
  get instantiations(): number {
    return this.instantiationCount;
  }

  /**
   * Validates, meters and compiles the module once (the metered module comes from the prepared-code
   * cache when it holds it, see codeCache.ts), and runs its start function; returns its code hash
   * (hex sha256 of the original bytes). Idempotent. Throws XshardError BAD_WASM for an invalid
   * module, a bad import, a memory that does not fit the limit, or a start function that fails.
   */
  registerCode(wasm: Uint8Array): string {
    const hash = sha256(wasm);
    const codeHash = toHex(hash);
    if (this.codes.has(codeHash)) return codeHash;
    const limits = { memoryPages: this.options.memoryPages, initialGas: this.options.instructionBudget };
    const prepared = getPreparedCode(wasm, hash, limits, this.preparedCodeDirs, prepareCode);
    const code: RegisteredCode = {
      hash,
      module: compile(prepared),
      methods: prepared.methods,
      instantiationCost: prepared.instantiationCost,
      startMeasured: false,
      instance: null,
    };
    code.instance = this.instantiate(code, codeHash);
    this.codes.set(codeHash, code);
    return codeHash;
  }

  hasCode(codeHash: string): boolean {
    return this.codes.has(codeHash);
  }

  /**
   * Runs one call. Failures of the call (trap, revert, out-of-budget, out-of-memory, unknown method,
   * bad args) are results, with no writes. Throws XshardError only for a bad request: UNKNOWN_CODE,
   * BAD_CALL (malformed caller or txId, budget or successorIndex out of range), REENTRANT_CALL (a
   * StateView calling back into running code). An error thrown by the StateView propagates.
   */
  call(req: CallRequest): CallResult {
    const code = this.codes.get(req.codeHash);
    if (code === undefined) throw new XshardError("UNKNOWN_CODE", `no code registered with hash ${req.codeHash}`, { codeHash: req.codeHash });
    const budget = req.budget ?? this.options.instructionBudget;
    const successorIndex = req.successorIndex ?? 0;
    assertValidRequest(req, budget, successorIndex);
    if (!code.methods.has(req.method)) {
      return { ok: false, failure: { kind: "unknown-method", message: `no method '${req.method}'` }, instructions: 0n };
    }
    const live = code.instance ?? this.instantiate(code, req.codeHash);
    if (live.binding.call !== null) throw new XshardError("REENTRANT_CALL", "a call into code that is already running", { codeHash: req.codeHash });
    code.instance = live;
    if (this.depth === 0) this.services.keys.trim();
    const ctx = new CallContext({
      contract: req.contract,
      principal: this.getPrincipal(req.contract),
      codeHash: code.hash,
      state: req.state,
      caller: req.caller,
      args: req.args,
      txId: req.txId,
      successorIndex,
      memory: live.view,
      services: this.services,
    });
    const run = live.entryPoints.get(req.method) as (budget: bigint) => bigint;
    let failure: CallFailure | null = null;
    let remaining = 0n;
    let unsettled = 0;
    live.binding.call = ctx;
    this.depth++;
    try {
      remaining = run(budget);
    } catch (e) {
      failure = classifyFailure(e, live, this.options.memoryPages);
      remaining = live.gas.value as bigint;
      if (e instanceof CallAbort) unsettled = ctx.charged;
    } finally {
      this.depth--;
      live.binding.call = null;
      if (live.view.bytes.length !== live.memorySnapshot.length) code.instance = null;
      else restoreMemory(live);
    }
    const instructions = computeInstructions(budget, remaining, unsettled);
    if (failure !== null) return { ok: false, failure, instructions };
    return { ok: true, returnData: ctx.returnData, writes: ctx.writes, created: ctx.created, ended: ctx.ended, instructions };
  }

  /** contractPrincipal(id), memoized (it is hashed on every call otherwise). */
  private getPrincipal(id: ContractId): Uint8Array {
    let p = this.principals.get(id);
    if (p === undefined) {
      p = contractPrincipal(id);
      this.principals.set(id, p);
    }
    return p;
  }

  /** Instantiates (running the start function) and snapshots memory and mutable globals; ready to call. */
  private instantiate(code: RegisteredCode, codeHash: string): LiveInstance {
    const binding: HostBinding = { call: null };
    let instance: WasmInstance;
    try {
      instance = new WebAssemblyApi.Instance(code.module, createHostImports(binding));
    } catch (e) {
      const reason = e instanceof CallAbort ? e.failure.message : e instanceof Error ? e.message : String(e);
      throw new XshardError("BAD_WASM", `instantiation failed: ${reason}`, { codeHash }, { cause: e });
    }
    this.instantiationCount++;
    const x = instance.exports;
    const gas = x[GAS_EXPORT] as WasmGlobal;
    if (!code.startMeasured) {
      code.instantiationCost += this.options.instructionBudget - (gas.value as bigint); // the start function's count
      code.startMeasured = true;
    }
    (x[INSTANTIATION_EXPORT] as WasmGlobal).value = code.instantiationCost;
    (x[SAVE_EXPORT] as () => void)();
    const view = new MemoryView(x[MEMORY_EXPORT] as WasmMemory);
    return {
      view,
      gas,
      oom: x[OOM_EXPORT] as WasmGlobal,
      stack: x[STACK_EXPORT] as WasmGlobal,
      watermark: x[WATERMARK_EXPORT] as WasmGlobal,
      entryPoints: new Map([...code.methods].map((m) => [m, x[`${RUN_EXPORT_PREFIX}${m}`] as (budget: bigint) => bigint])),
      memorySnapshot: view.bytes.slice(),
      snapshotPrefixes: [],
      binding,
    };
  }
}

/**
 * Restores the prefix of memory the call can have written — up to the higher of the wasm and host
 * watermarks, rounded up to RESTORE_GRANULE — to the post-instantiation snapshot.
 */
function restoreMemory(live: LiveInstance): void {
  const watermark = Math.max((live.watermark.value as number) >>> 0, live.view.dirtyEnd);
  live.view.dirtyEnd = 0;
  const granules = Math.ceil(Math.min(watermark, live.memorySnapshot.length) / RESTORE_GRANULE);
  let prefix = live.snapshotPrefixes[granules];
  if (prefix === undefined) {
    prefix = live.memorySnapshot.subarray(0, granules * RESTORE_GRANULE);
    live.snapshotPrefixes[granules] = prefix;
  }
  live.view.bytes.set(prefix);
}
