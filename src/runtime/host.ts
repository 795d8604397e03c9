/**
 * The host interface a contract imports from module "env" (docs/contracts.md): argument access with
 * origins, identity, storage with read-your-writes, return data, revert, successor contracts and
 * ending. One CallContext per call holds everything the call produced; nothing reaches the caller's
 * state unless the call succeeds (the runtime decides). Every host function charges a fixed cost
 * (HOST_COSTS) against the same budget global the metered code uses.
 *
 * Failures are raised by throwing a CallAbort through the wasm frames; the runtime catches it.
 */
import type { Address, ContractId, StateView, Value, WriteSet } from "../types.js";
import { sha256, toHex } from "../crypto/hash.js";
import type { WasmGlobal, WasmImports, WasmMemory } from "./wasm.js";

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
  call: 20n,
  /** per byte copied between linear memory and the host (args, keys, values, return data, messages) */
  byte: 1n,
  /** storage_len, storage_read */
  storageRead: 200n,
  /** storage_write, storage_delete, successor_write */
  storageWrite: 1_000n,
  /** create */
  create: 5_000n,
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
  readonly memory: WasmMemory;
  readonly gas: WasmGlobal;
  isKnownCode(codeHash: string): boolean;
  /** contractPrincipal(id), cached by the runtime. */
  principalOf(id: ContractId): Uint8Array;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const utf16Decoder = new TextDecoder("utf-16le");

function fail(kind: CallFailureKind, message: string): CallAbort {
  return new CallAbort({ kind, message });
}

/** The effects and host-side state of one call. */
export class CallContext {
  readonly writes: WriteSet = new Map();
  readonly created: CreatedContract[] = [];
  returnData: Uint8Array = new Uint8Array(0);
  ended = false;

  constructor(private readonly env: CallEnvironment) {}

  /** Subtracts cost from the budget; ends the call out-of-budget when it goes negative. */
  charge(cost: bigint): void {
    const left = (this.env.gas.value as bigint) - cost;
    this.env.gas.value = left;
    if (left < 0n) throw fail("out-of-budget", "instruction budget exhausted in a host function");
  }

  /** A copy of linear memory [ptr, ptr + len); traps when out of bounds. */
  readMemory(ptr: number, len: number): Uint8Array {
    const start = ptr >>> 0;
    const mem = new Uint8Array(this.env.memory.buffer);
    if (len < 0 || start + len > mem.length) throw fail("trap", `host: out-of-bounds memory read at ${start} (+${len})`);
    return mem.slice(start, start + len);
  }

  writeMemory(ptr: number, bytes: Uint8Array): void {
    const start = ptr >>> 0;
    const mem = new Uint8Array(this.env.memory.buffer);
    if (start + bytes.length > mem.length) throw fail("trap", `host: out-of-bounds memory write at ${start} (+${bytes.length})`);
    mem.set(bytes, start);
  }

  getArg(i: number): Value {
    const v = this.env.args[i];
    if (v === undefined) throw fail("bad-args", `argument ${i} missing (the call has ${this.env.args.length})`);
    return v;
  }

  /** Reads a storage key from memory, checking its size (keys and values are read before they are charged: both are small). */
  readKey(kptr: number, klen: number): Uint8Array {
    if (klen < 1 || klen > MAX_KEY_BYTES) throw fail("bad-args", `storage key of ${klen} bytes (1..${MAX_KEY_BYTES} allowed)`);
    return this.readMemory(kptr, klen);
  }

  readValue(vptr: number, vlen: number): Uint8Array {
    if (vlen < 0 || vlen > MAX_VALUE_BYTES) throw fail("bad-args", `storage value of ${vlen} bytes (at most ${MAX_VALUE_BYTES} allowed)`);
    return this.readMemory(vptr, vlen);
  }

  /** The current value at key: this call's own writes first, then the state. */
  getStorage(key: Uint8Array): Uint8Array | undefined {
    const k = toHex(key);
    return this.writes.has(k) ? (this.writes.get(k) ?? undefined) : this.env.state.get(key);
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
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * BigInt(bytes.length));
    this.writeMemory(ptr, bytes);
  }

  argOrigin(i: number, principalOut: number, methodOut: number): number {
    this.charge(HOST_COSTS.call);
    const origin = this.getArg(i).origin;
    if (origin === undefined) return -1;
    const method = utf8Encoder.encode(origin.method);
    const shown = method.subarray(0, MAX_ORIGIN_METHOD_BYTES);
    this.charge(HOST_COSTS.byte * BigInt(PRINCIPAL_BYTES + shown.length));
    this.writeMemory(principalOut, this.env.principalOf(origin.contract));
    this.writeMemory(methodOut, shown);
    return method.length;
  }

  caller(ptr: number): void {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * BigInt(PRINCIPAL_BYTES));
    this.writeMemory(ptr, this.env.caller);
  }

  selfPrincipal(ptr: number): void {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * BigInt(PRINCIPAL_BYTES));
    this.writeMemory(ptr, this.env.principal);
  }

  selfCodeHash(ptr: number): void {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * BigInt(PRINCIPAL_BYTES));
    this.writeMemory(ptr, this.env.codeHash);
  }

  storageLen(kptr: number, klen: number): number {
    const key = this.readKey(kptr, klen);
    this.charge(HOST_COSTS.call + HOST_COSTS.storageRead + HOST_COSTS.byte * BigInt(klen));
    return this.getStorage(key)?.length ?? -1;
  }

  storageRead(kptr: number, klen: number, vptr: number): void {
    const key = this.readKey(kptr, klen);
    const value = this.getStorage(key);
    if (value === undefined) throw fail("trap", "storage_read of an absent key");
    this.charge(HOST_COSTS.call + HOST_COSTS.storageRead + HOST_COSTS.byte * BigInt(klen + value.length));
    this.writeMemory(vptr, value);
  }

  storageWrite(kptr: number, klen: number, vptr: number, vlen: number): void {
    const key = this.readKey(kptr, klen);
    const value = this.readValue(vptr, vlen);
    this.charge(HOST_COSTS.call + HOST_COSTS.storageWrite + HOST_COSTS.byte * BigInt(klen + vlen));
    this.writes.set(toHex(key), value);
  }

  storageDelete(kptr: number, klen: number): void {
    const key = this.readKey(kptr, klen);
    this.charge(HOST_COSTS.call + HOST_COSTS.storageWrite + HOST_COSTS.byte * BigInt(klen));
    this.writes.set(toHex(key), null);
  }

  ret(ptr: number, len: number): void {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * BigInt(Math.max(len, 0)));
    this.returnData = this.readMemory(ptr, len);
  }

  revert(ptr: number, len: number): never {
    this.charge(HOST_COSTS.call + HOST_COSTS.byte * BigInt(Math.max(len, 0)));
    throw fail("revert", utf8Decoder.decode(this.readMemory(ptr, len)));
  }

  create(codeHashPtr: number, principalOut: number): number {
    this.charge(HOST_COSTS.call + HOST_COSTS.create + HOST_COSTS.byte * BigInt(2 * PRINCIPAL_BYTES));
    const codeHash = toHex(this.readMemory(codeHashPtr, 32));
    if (!this.env.isKnownCode(codeHash)) throw fail("bad-args", `create: unknown code hash ${codeHash}`);
    const index = this.created.length;
    const id = computeSuccessorId(this.env.contract, this.env.txId, this.env.successorIndex + index);
    this.created.push({ id, codeHash, writes: new Map() });
    this.writeMemory(principalOut, this.env.principalOf(id));
    return index;
  }

  successorWrite(index: number, kptr: number, klen: number, vptr: number, vlen: number): void {
    const successor = this.created[index];
    if (successor === undefined) throw fail("bad-args", `successor_write: no successor ${index} in this call`);
    const key = this.readKey(kptr, klen);
    const value = this.readValue(vptr, vlen);
    this.charge(HOST_COSTS.call + HOST_COSTS.storageWrite + HOST_COSTS.byte * BigInt(klen + vlen));
    successor.writes.set(toHex(key), value);
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
    const mem = new Uint8Array(this.env.memory.buffer);
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

/** The "env" import object of one instance; every function acts on the binding's current call. */
export function createHostImports(binding: HostBinding): WasmImports {
  const ctx = (): CallContext => {
    if (binding.call === null) throw fail("trap", "host function called outside a contract call");
    return binding.call;
  };
  const env: Record<HostImportName, (...args: number[]) => number | void> = {
    arg_count: () => ctx().argCount(),
    arg_len: (i) => ctx().argLen(i),
    arg_read: (i, ptr) => ctx().argRead(i, ptr),
    arg_origin: (i, p, m) => ctx().argOrigin(i, p, m),
    caller: (ptr) => ctx().caller(ptr),
    self_principal: (ptr) => ctx().selfPrincipal(ptr),
    self_code_hash: (ptr) => ctx().selfCodeHash(ptr),
    storage_len: (k, kl) => ctx().storageLen(k, kl),
    storage_read: (k, kl, v) => ctx().storageRead(k, kl, v),
    storage_write: (k, kl, v, vl) => ctx().storageWrite(k, kl, v, vl),
    storage_delete: (k, kl) => ctx().storageDelete(k, kl),
    ret: (p, l) => ctx().ret(p, l),
    revert: (p, l) => ctx().revert(p, l),
    create: (h, p) => ctx().create(h, p),
    successor_write: (i, k, kl, v, vl) => ctx().successorWrite(i, k, kl, v, vl),
    end_contract: () => ctx().endContract(),
    abort: (m, f, l, c) => ctx().abort(m, f, l, c),
  };
  return { env };
}
