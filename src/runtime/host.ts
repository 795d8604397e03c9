/**
 * The host interface a contract imports from module "env" (docs/contracts.md): argument access with
 * origins, identity, storage with read-your-writes, return data, revert, successor contracts and
 * ending. One CallContext per call holds everything the call produced; nothing reaches the caller's
 * state unless the call succeeds (the runtime decides). Every host function charges a fixed cost
 * (HOST_COSTS) against the same budget the metered code uses: its wrapper in wasm (prepare.ts)
 * passes the budget left in and subtracts the charge the function reports.
 *
 * Storage keys are interned (keys.ts): a StateView's `get` receives the interned bytes, which it
 * must not modify.
 *
 * Failures are raised by throwing a CallAbort through the wasm frames; the runtime catches it.
 */
import type { Address, ContractId, StateView, Value, WriteSet } from "../types.js";
import { sha256, toHex } from "../crypto/hash.js";
import { isKeyAt, type KeyCache, type StorageKey } from "./keys.js";
import type { WasmImports, WasmMemory } from "./wasm.js";

export type CallFailureKind = "trap" | "revert" | "out-of-budget" | "out-of-memory" | "unknown-method" | "bad-args";

export interface CallFailure {
  readonly kind: CallFailureKind;
  readonly message: string;
}

/** A successor contract created by a call: empty state plus the writes the call seeded it with. */
export interface CreatedContract {
  readonly id: ContractId;
  readonly codeHash: string;
  readonly writes: WriteSet;
}

/** The private sentinel a host function throws through wasm to end the call with a failure. */
export class CallAbort {
  constructor(readonly failure: CallFailure) {}
}

/** Value types of host function signatures (all i32). */
export type HostValType = "i32";

/** Signatures of the "env" imports a module may declare (only these; all are i32-only). */
export const HOST_IMPORTS = {
  arg_count: { params: [], results: ["i32"] },
  arg_len: { params: ["i32"], results: ["i32"] },
  arg_read: { params: ["i32", "i32"], results: [] },
  arg_origin: { params: ["i32", "i32", "i32"], results: ["i32"] },
  caller: { params: ["i32"], results: [] },
  self_principal: { params: ["i32"], results: [] },
  self_code_hash: { params: ["i32"], results: [] },
  storage_len: { params: ["i32", "i32"], results: ["i32"] },
  storage_read: { params: ["i32", "i32", "i32"], results: [] },
  storage_write: { params: ["i32", "i32", "i32", "i32"], results: [] },
  storage_delete: { params: ["i32", "i32"], results: [] },
  ret: { params: ["i32", "i32"], results: [] },
  revert: { params: ["i32", "i32"], results: [] },
  create: { params: ["i32", "i32"], results: ["i32"] },
  successor_write: { params: ["i32", "i32", "i32", "i32", "i32"], results: [] },
  end_contract: { params: [], results: [] },
  abort: { params: ["i32", "i32", "i32", "i32"], results: [] },
} as const satisfies Record<string, { params: readonly HostValType[]; results: readonly HostValType[] }>;
export type HostImportName = keyof typeof HOST_IMPORTS;

/** Fixed costs of host functions, in the same units as metered instructions. */
export const HOST_COSTS = {
  /** every host function call */
  call: 20,
  /** per byte copied between linear memory and the host (args, keys, values, return data, messages) */
  byte: 1,
  /** storage_len, storage_read */
  storageRead: 200,
  /** storage_write, storage_delete, successor_write */
  storageWrite: 1_000,
  /** create */
  create: 5_000,
} as const;

export const MAX_KEY_BYTES = 64;
export const MAX_VALUE_BYTES = 1024;
export const MAX_ORIGIN_METHOD_BYTES = 32;
const PRINCIPAL_BYTES = 32;
/** Longest abort message kept, in UTF-16 code units. */
const MAX_ABORT_CHARS = 256;
/** Files of the AssemblyScript runtime: an abort from there is an allocation failure. */
const AS_RUNTIME_PREFIX = "~lib/rt/";

/**
 * The id of the `index`-th successor created by `parent` in transaction `txId`:
 * `${parent}~${hex(sha256(parent ‖ txId ‖ u32le(index)))[0..16]}`.
 */
export function computeSuccessorId(parent: ContractId, txId: Uint8Array, index: number): ContractId {
  const le = new Uint8Array(4);
  new DataView(le.buffer).setUint32(0, index, true);
  return `${parent}~${toHex(sha256(parent, txId, le)).slice(0, 16)}`;
}

/** What every call of a runtime shares (built once per runtime). */
export interface HostServices {
  /** Interning table of storage keys. */
  readonly keys: KeyCache;
  isKnownCode(codeHash: string): boolean;
  /** contractPrincipal(id), cached by the runtime. */
  principalOf(id: ContractId): Uint8Array;
}

/** What a call runs against; the runtime builds it from the CallRequest. */
export interface CallEnvironment {
  readonly contract: ContractId;
  /** contractPrincipal(contract) */
  readonly principal: Uint8Array;
  /** The code hash, 32 bytes. */
  readonly codeHash: Uint8Array;
  readonly state: StateView;
  readonly caller: Address;
  readonly args: readonly Value[];
  readonly txId: Uint8Array;
  readonly successorIndex: number;
  readonly memory: MemoryView;
  readonly services: HostServices;
}

/**
 * A byte view of an instance's linear memory, kept across calls and renewed only when a grow has
 * detached the buffer it was made on. Also records how far the host has written (see `dirtyEnd`).
 */
export class MemoryView {
  private view: Uint8Array;
  private dataView: DataView;
  /** One past the highest byte the host wrote since the runtime last restored memory. */
  dirtyEnd = 0;

  constructor(private readonly memory: WasmMemory) {
    this.view = new Uint8Array(memory.buffer);
    this.dataView = new DataView(memory.buffer);
  }

  /** The memory's bytes now. */
  get bytes(): Uint8Array {
    if (this.view.length === 0) this.renew();
    return this.view;
  }

  /** The same bytes as a DataView. */
  get data(): DataView {
    if (this.view.length === 0) this.renew();
    return this.dataView;
  }

  private renew(): void {
    this.view = new Uint8Array(this.memory.buffer);
    this.dataView = new DataView(this.memory.buffer);
  }
}

/** Copies of up to this many bytes are made byte by byte (faster than a native copy for so few). */
const BYTEWISE_BYTES = 8;
/** Copies of more than BYTEWISE_BYTES and up to this many go into arrays of their own (V8 keeps those on its heap). */
const ON_HEAP_BYTES = 64;
/** Other copies up to this size are carved from shared slabs of this size, as Node's Buffer pool does. */
const SLAB_BYTES = 8192;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** A view of `len` bytes (at most SLAB_BYTES) carved from the current slab, 8-byte aligned. */
function carve(len: number): Uint8Array {
  if (slabUsed + len > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, len);
  slabUsed += (len + 7) & ~7;
  return out;
}

/**
 * A copy of bytes[start, end), as a Uint8Array that no one else writes. A copy of at most
 * BYTEWISE_BYTES (a u64 value: three per token transfer), or of more than ON_HEAP_BYTES and at most
 * SLAB_BYTES, is a view on a shared slab (a typed array with a buffer of its own costs more to
 * allocate: same-run A/B in docs/benchmarks.md), so its `buffer` is larger than the copy and read
 * through its `byteOffset`; a retained copy keeps its slab alive.
 */
function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const len = end - start;
  if (len <= BYTEWISE_BYTES) {
    const out = carve(len);
    for (let i = 0; i < len; i++) out[i] = bytes[start + i] as number;
    return out;
  }
  if (len <= ON_HEAP_BYTES || len > SLAB_BYTES) return bytes.slice(start, end);
  const out = carve(len);
  out.set(bytes.subarray(start, end));
  return out;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const utf16Decoder = new TextDecoder("utf-16le");
const NO_BYTES = new Uint8Array(0);

function fail(kind: CallFailureKind, message: string): CallAbort {
  return new CallAbort({ kind, message });
}

function outOfBoundsRead(start: number, len: number): CallAbort {
  return fail("trap", `host: out-of-bounds memory read at ${start} (+${len})`);
}

/** The effects and host-side state of one call. */
export class CallContext {
  readonly created: CreatedContract[] = [];
  returnData: Uint8Array = NO_BYTES;
  ended = false;
  /** This call's storage writes (null deletes). */
  readonly writes: WriteSet = new Map();
  /** The key found last, and where: a contract passes the same key to several storage functions. */
  private lastKey: StorageKey | null = null;
  private lastKeyAt = -1;
  /** The last key looked up or written and its current value (see `getStorage`). */
  private lastRead: StorageKey | null = null;
  private lastValue: Uint8Array | undefined = undefined;
  /** Budget left when the current host function was entered. */
  private available = 0;
  /** What the current host function has charged so far. */
  charged = 0;

  constructor(private readonly env: CallEnvironment) {}

  /** Starts a host function, given the budget left (its wrapper passes it). */
  enter(gas: number): this {
    this.available = gas;
    this.charged = 0;
    return this;
  }

  /**
   * Adds cost to what the current host function charges; ends the call out-of-budget when that
   * exceeds the budget left. The function reports `charged` to its wrapper, which subtracts it from
   * the budget; if the function throws instead, the runtime counts `charged` itself.
   */
  charge(cost: number): void {
    this.charged += cost;
    if (this.charged > this.available) throw fail("out-of-budget", "instruction budget exhausted in a host function");
  }

  /** A copy of linear memory [ptr, ptr + len); traps when out of bounds. */
  readMemory(ptr: number, len: number): Uint8Array {
    const start = ptr >>> 0;
    const mem = this.env.memory.bytes;
    if (len < 0 || start + len > mem.length) throw outOfBoundsRead(start, len);
    return copyBytes(mem, start, start + len);
  }

  writeMemory(ptr: number, bytes: Uint8Array): void {
    const start = ptr >>> 0;
    const end = start + bytes.length;
    const view = this.env.memory;
    const mem = view.bytes;
    if (end > mem.length) throw fail("trap", `host: out-of-bounds memory write at ${start} (+${bytes.length})`);
    if (bytes.length <= BYTEWISE_BYTES) for (let i = 0; i < bytes.length; i++) mem[start + i] = bytes[i] as number;
    else mem.set(bytes, start);
    if (end > view.dirtyEnd) view.dirtyEnd = end;
  }

  getArg(i: number): Value {
    const v = this.env.args[i];
    if (v === undefined) throw fail("bad-args", `argument ${i} missing (the call has ${this.env.args.length})`);
    return v;
  }

  /** The interned storage key in memory at [kptr, kptr + klen), checking its size and bounds. */
  readKey(kptr: number, klen: number): StorageKey {
    if (klen < 1 || klen > MAX_KEY_BYTES) throw fail("bad-args", `storage key of ${klen} bytes (1..${MAX_KEY_BYTES} allowed)`);
    const start = kptr >>> 0;
    const data = this.env.memory.data;
    if (start + klen > data.byteLength) throw outOfBoundsRead(start, klen);
    const last = this.lastKey;
    if (start === this.lastKeyAt && last !== null && isKeyAt(last, data, start, klen)) return last;
    const key = this.env.services.keys.intern(data, start, klen);
    this.lastKey = key;
    this.lastKeyAt = start;
    return key;
  }

  /** A copy of a storage value in memory, checking its size (keys and values are read before they are charged: both are small). */
  readValue(vptr: number, vlen: number): Uint8Array {
    if (vlen < 0 || vlen > MAX_VALUE_BYTES) throw fail("bad-args", `storage value of ${vlen} bytes (at most ${MAX_VALUE_BYTES} allowed)`);
    return this.readMemory(vptr, vlen);
  }

  /**
   * The current value at key: this call's own writes first, then the state. The last key asked for
   * and its value are remembered (a write or delete of that key updates them): a contract reads a
   * key's length, then the key, then writes it, so most lookups are the last key again.
   */
  getStorage(key: StorageKey): Uint8Array | undefined {
    if (key === this.lastRead) return this.lastValue;
    const own = this.writes.get(key.hex);
    const value = own === undefined ? this.env.state.get(key.bytes) : (own ?? undefined);
    this.lastRead = key;
    this.lastValue = value;
    return value;
  }

  /** Records this call's write of key (null deletes) and remembers it as the last value read. */
  private putStorage(key: StorageKey, value: Uint8Array | null): void {
    this.writes.set(key.hex, value);
    this.lastRead = key;
    this.lastValue = value ?? undefined;
  }

  // ---- the imports ----

  argCount(): number {
    this.charge(HOST_COSTS.call);
    return this.env.args.length;
  }

  argLen(i: number): number {
    this.charge(HOST_COSTS.call);
    return this.getArg(i).bytes.length;
  }

  argRead(i: number, ptr: number): void {
    const bytes = this.getArg(i).bytes;
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * bytes.length);
    this.writeMemory(ptr, bytes);
  }

  argOrigin(i: number, principalOut: number, methodOut: number): number {
    this.charge(HOST_COSTS.call);
    const origin = this.getArg(i).origin;
    if (origin === undefined) return -1;
    const method = utf8Encoder.encode(origin.method);
    const shown = method.subarray(0, MAX_ORIGIN_METHOD_BYTES);
    this.charge(HOST_COSTS.byte * (PRINCIPAL_BYTES + shown.length));
    this.writeMemory(principalOut, this.env.services.principalOf(origin.contract));
    this.writeMemory(methodOut, shown);
    return method.length;
  }

  caller(ptr: number): void {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * PRINCIPAL_BYTES);
    this.writeMemory(ptr, this.env.caller);
  }

  selfPrincipal(ptr: number): void {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * PRINCIPAL_BYTES);
    this.writeMemory(ptr, this.env.principal);
  }

  selfCodeHash(ptr: number): void {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * PRINCIPAL_BYTES);
    this.writeMemory(ptr, this.env.codeHash);
  }

  storageLen(kptr: number, klen: number): number {
    const key = this.readKey(kptr, klen);
    this.charge(HOST_COSTS.call + HOST_COSTS.storageRead + HOST_COSTS.byte * klen);
    return this.getStorage(key)?.length ?? -1;
  }

  storageRead(kptr: number, klen: number, vptr: number): void {
    const key = this.readKey(kptr, klen);
    const value = this.getStorage(key);
    if (value === undefined) throw fail("trap", "storage_read of an absent key");
    this.charge(HOST_COSTS.call + HOST_COSTS.storageRead + HOST_COSTS.byte * (klen + value.length));
    this.writeMemory(vptr, value);
  }

  storageWrite(kptr: number, klen: number, vptr: number, vlen: number): void {
    const key = this.readKey(kptr, klen);
    const value = this.readValue(vptr, vlen);
    this.charge(HOST_COSTS.call + HOST_COSTS.storageWrite + HOST_COSTS.byte * (klen + vlen));
    this.putStorage(key, value);
  }

  storageDelete(kptr: number, klen: number): void {
    const key = this.readKey(kptr, klen);
    this.charge(HOST_COSTS.call + HOST_COSTS.storageWrite + HOST_COSTS.byte * klen);
    this.putStorage(key, null);
  }

  ret(ptr: number, len: number): void {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * Math.max(len, 0));
    this.returnData = this.readMemory(ptr, len);
  }

  revert(ptr: number, len: number): never {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * Math.max(len, 0));
    throw fail("revert", utf8Decoder.decode(this.readMemory(ptr, len)));
  }

  create(codeHashPtr: number, principalOut: number): number {
    this.charge(HOST_COSTS.call + HOST_COSTS.create + HOST_COSTS.byte * 2 * PRINCIPAL_BYTES);
    const codeHash = toHex(this.readMemory(codeHashPtr, 32));
    if (!this.env.services.isKnownCode(codeHash)) throw fail("bad-args", `create: unknown code hash ${codeHash}`);
    const index = this.created.length;
    const id = computeSuccessorId(this.env.contract, this.env.txId, this.env.successorIndex + index);
    this.created.push({ id, codeHash, writes: new Map() });
    this.writeMemory(principalOut, this.env.services.principalOf(id));
    return index;
  }

  successorWrite(index: number, kptr: number, klen: number, vptr: number, vlen: number): void {
    const successor = this.created[index];
    if (successor === undefined) throw fail("bad-args", `successor_write: no successor ${index} in this call`);
    const key = this.readKey(kptr, klen);
    const value = this.readValue(vptr, vlen);
    this.charge(HOST_COSTS.call + HOST_COSTS.storageWrite + HOST_COSTS.byte * (klen + vlen));
    successor.writes.set(key.hex, value);
  }

  endContract(): void {
    this.charge(HOST_COSTS.call);
    this.ended = true;
  }

  /** AssemblyScript's abort(message, file, line, column): a trap, or out-of-memory from its allocator. */
  abort(msgPtr: number, filePtr: number, line: number, column: number): never {
    const message = this.readAsString(msgPtr);
    const file = this.readAsString(filePtr);
    const kind = file.startsWith(AS_RUNTIME_PREFIX) ? "out-of-memory" : "trap";
    throw fail(kind, `abort: ${message} (${file}:${line}:${column})`);
  }

  /** An AssemblyScript string (UTF-16LE, byte length at ptr - 4), shortened; "" when unreadable. */
  readAsString(ptr: number): string {
    const start = ptr >>> 0;
    const mem = this.env.memory.bytes;
    if (start < 4 || start > mem.length) return "";
    const byteLength = new DataView(mem.buffer).getUint32(start - 4, true);
    const len = Math.min(byteLength, 2 * MAX_ABORT_CHARS) & ~1;
    if (start + len > mem.length) return "";
    return utf16Decoder.decode(mem.subarray(start, start + len));
  }
}

/** Where the imports of one instance find the call in progress (null between calls). */
export interface HostBinding {
  call: CallContext | null;
}

/** 2³²: a host function with an i32 result reports `charged × 2³² + (result as u32)`. */
const RESULT_SPAN = 2 ** 32;

/**
 * The "env" import object of one instance, as the instrumented module calls it (prepare.ts): each
 * function gets the budget left, then the contract's arguments; acts on the binding's current call;
 * and returns its report — what it charged, times 2³² plus its result for the functions that have
 * one (exact in an f64: those charge less than 2²¹).
 */
export function createHostImports(binding: HostBinding): WasmImports {
  const enter = (gas: number): CallContext => {
    if (binding.call === null) throw fail("trap", "host function called outside a contract call");
    return binding.call.enter(gas);
  };
  const report = (c: CallContext): number => c.charged;
  const reportWith = (c: CallContext, result: number): number => c.charged * RESULT_SPAN + (result >>> 0);
  const env: Record<HostImportName, (gas: number, ...args: number[]) => number> = {
    arg_count: (g) => { const c = enter(g); return reportWith(c, c.argCount()); },
    arg_len: (g, i) => { const c = enter(g); return reportWith(c, c.argLen(i)); },
    arg_read: (g, i, ptr) => { const c = enter(g); c.argRead(i, ptr); return report(c); },
    arg_origin: (g, i, p, m) => { const c = enter(g); return reportWith(c, c.argOrigin(i, p, m)); },
    caller: (g, ptr) => { const c = enter(g); c.caller(ptr); return report(c); },
    self_principal: (g, ptr) => { const c = enter(g); c.selfPrincipal(ptr); return report(c); },
    self_code_hash: (g, ptr) => { const c = enter(g); c.selfCodeHash(ptr); return report(c); },
    storage_len: (g, k, kl) => { const c = enter(g); return reportWith(c, c.storageLen(k, kl)); },
    storage_read: (g, k, kl, v) => { const c = enter(g); c.storageRead(k, kl, v); return report(c); },
    storage_write: (g, k, kl, v, vl) => { const c = enter(g); c.storageWrite(k, kl, v, vl); return report(c); },
    storage_delete: (g, k, kl) => { const c = enter(g); c.storageDelete(k, kl); return report(c); },
    ret: (g, p, l) => { const c = enter(g); c.ret(p, l); return report(c); },
    revert: (g, p, l) => enter(g).revert(p, l),
    create: (g, h, p) => { const c = enter(g); return reportWith(c, c.create(h, p)); },
    successor_write: (g, i, k, kl, v, vl) => { const c = enter(g); c.successorWrite(i, k, kl, v, vl); return report(c); },
    end_contract: (g) => { const c = enter(g); c.endContract(); return report(c); },
    abort: (g, m, f, l, col) => enter(g).abort(m, f, l, col),
  };
  return { env };
}
