/**
 * The WebAssembly contract runtime: registers code once (validated, metered, compiled), keeps one
 * instance per code hash, and runs calls against a read-only StateView.
 *
 * - A call never mutates state: it returns its write set, and only when it succeeds. Ending a
 *   contract and refusing calls to an ended contract is the caller's job (a call reports
 *   `ended: true`).
 * - Calls do not leak into each other: before each call the instance's linear memory and mutable
 *   globals are restored to their state right after instantiation. An instance whose memory grew
 *   during a call is dropped (memory cannot shrink) and the next call instantiates afresh.
 * - Execution is metered (metering.ts): the same call on the same state uses the same number of
 *   instructions, and a call that exceeds its budget fails `out-of-budget`.
 */
import type { Address, ContractId, StateView, Value, WriteSet } from "../types.js";
import { XshardError } from "../errors.js";
import { contractPrincipal, fromHex, sha256, toHex } from "../crypto/hash.js";
import { CallAbort, CallContext, createHostImports, type CallFailure, type CreatedContract, type HostBinding } from "./host.js";
import { GAS_EXPORT, OOM_EXPORT, STACK_EXPORT, STACK_LIMIT } from "./metering.js";
import { MEMORY_EXPORT, prepareModule } from "./prepare.js";
import { WebAssemblyApi, type WasmGlobal, type WasmInstance, type WasmMemory, type WasmModule } from "./wasm.js";

export type { CallFailure, CallFailureKind, CreatedContract } from "./host.js";

export interface RuntimeOptions {
  /** Default budget of a call, in metered instructions. */
  readonly instructionBudget: bigint;
  /** Maximum linear memory of a contract, in 64 KiB pages. */
  readonly memoryPages: number;
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

/** A live instance and what it takes to reset it. */
interface LiveInstance {
  readonly exports: Record<string, unknown>;
  readonly memory: WasmMemory;
  readonly gas: WasmGlobal;
  readonly oom: WasmGlobal;
  readonly stack: WasmGlobal;
  readonly globals: readonly WasmGlobal[];
  readonly globalSnapshot: readonly (number | bigint)[];
  readonly memorySnapshot: Uint8Array;
  readonly binding: HostBinding;
}

interface RegisteredCode {
  readonly hash: Uint8Array;
  readonly module: WasmModule;
  readonly methods: ReadonlySet<string>;
  readonly globals: readonly string[];
  instance: LiveInstance | null;
}

function badCall(message: string, data: Record<string, unknown> = {}): XshardError {
  return new XshardError("BAD_CALL", message, data);
}

/** instructions = budget − remaining, capped at the budget. */
function computeInstructions(budget: bigint, remaining: bigint): bigint {
  const used = budget - remaining;
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
 * globals (budget below zero → out-of-budget; last memory.grow failed → out-of-memory). Anything
 * else (a StateView that throws, a bug) is not the contract's failure and propagates.
 */
function classifyFailure(e: unknown, live: LiveInstance, memoryPages: number): CallFailure {
  if (e instanceof CallAbort) return e.failure;
  if (!(e instanceof WebAssemblyApi.RuntimeError) && !isNativeStackOverflow(e)) throw e;
  if ((live.gas.value as bigint) < 0n) return { kind: "out-of-budget", message: "instruction budget exhausted" };
  if (live.oom.value === 1) return { kind: "out-of-memory", message: `memory limit of ${memoryPages} pages reached` };
  if ((live.stack.value as number) > STACK_LIMIT) return { kind: "trap", message: "call stack exhausted" };
  return { kind: "trap", message: (e as Error).message };
}

export class Runtime {
  readonly options: RuntimeOptions;
  private readonly codes = new Map<string, RegisteredCode>();
  private readonly principals = new Map<ContractId, Uint8Array>();
  private instantiationCount = 0;

  constructor(opts: Partial<RuntimeOptions> = {}) {
    this.options = { ...DEFAULT_RUNTIME_OPTIONS, ...opts };
    const { instructionBudget, memoryPages } = this.options;
    if (instructionBudget <= 0n || instructionBudget > MAX_I64) {
      throw new XshardError("BAD_RUNTIME_OPTIONS", "instructionBudget must be in [1, 2^63 - 1]", { instructionBudget: String(instructionBudget) });
    }
    if (!Number.isInteger(memoryPages) || memoryPages < 1 || memoryPages > MAX_MEMORY_PAGES) {
      throw new XshardError("BAD_RUNTIME_OPTIONS", `memoryPages must be an integer in [1, ${MAX_MEMORY_PAGES}]`, { memoryPages });
    }
  }

  /** How many instances this runtime has created (for tests of the instance cache). */
  get instantiations(): number {
    return this.instantiationCount;
  }

  /**
   * Validates, meters and compiles the module once, and runs its start function; returns its code
   * hash (hex sha256 of the original bytes). Idempotent. Throws XshardError BAD_WASM for an invalid
   * module, a bad import, a memory that does not fit the limit, or a start function that fails.
   */
  registerCode(wasm: Uint8Array): string {
    const codeHash = toHex(sha256(wasm));
    if (this.codes.has(codeHash)) return codeHash;
    const prepared = prepareModule(wasm, { memoryPages: this.options.memoryPages, initialGas: this.options.instructionBudget });
    const code: RegisteredCode = {
      hash: fromHex(codeHash),
      module: new WebAssemblyApi.Module(prepared.bytes),
      methods: prepared.methods,
      globals: prepared.globals,
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
    this.resetInstance(live, budget);
    const ctx = new CallContext({
      contract: req.contract,
      principal: this.getPrincipal(req.contract),
      codeHash: code.hash,
      state: req.state,
      caller: req.caller,
      args: req.args,
      txId: req.txId,
      successorIndex,
      memory: live.memory,
      gas: live.gas,
      isKnownCode: (h) => this.codes.has(h),
      principalOf: (id) => this.getPrincipal(id),
    });
    let failure: CallFailure | null = null;
    live.binding.call = ctx;
    try {
      (live.exports[req.method] as () => void)();
    } catch (e) {
      failure = classifyFailure(e, live, this.options.memoryPages);
    } finally {
      live.binding.call = null;
      if (live.memory.buffer.byteLength !== live.memorySnapshot.length) code.instance = null;
    }
    const instructions = computeInstructions(budget, live.gas.value as bigint);
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

  /** Instantiates (running the start function) and snapshots memory and mutable globals. */
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
    const globals = code.globals.map((name) => x[name] as WasmGlobal);
    const memory = x[MEMORY_EXPORT] as WasmMemory;
    return {
      exports: x,
      memory,
      gas: x[GAS_EXPORT] as WasmGlobal,
      oom: x[OOM_EXPORT] as WasmGlobal,
      stack: x[STACK_EXPORT] as WasmGlobal,
      globals,
      globalSnapshot: globals.map((g) => g.value as number | bigint),
      memorySnapshot: new Uint8Array(memory.buffer).slice(),
      binding,
    };
  }

  /** Restores memory and mutable globals to the post-instantiation snapshot; sets the budget. */
  private resetInstance(live: LiveInstance, budget: bigint): void {
    new Uint8Array(live.memory.buffer).set(live.memorySnapshot);
    live.globals.forEach((g, i) => {
      g.value = live.globalSnapshot[i] as number | bigint;
    });
    live.gas.value = budget;
  }
}
