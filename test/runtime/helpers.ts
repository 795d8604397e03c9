/** Test helpers: a Map-backed StateView, request building, WAT modules. */
import { expect } from "vitest";
import binaryen from "binaryen";
import type { Bytes, StateView, Value, WriteSet } from "../../src/types.js";
import { contractPrincipal, sha256, toHex } from "../../src/crypto/hash.js";
import { encodeU64, loadLibraryWasm, type CallRequest, type CallResult, type LibraryContractName, type Runtime } from "../../src/runtime/index.js";

/** A contract's state as a Map from hex key to value; returned writes are applied by hand. */
export class MapState implements StateView {
  readonly kv = new Map<string, Bytes>();

  get(key: Bytes): Bytes | undefined {
    return this.kv.get(toHex(key));
  }

  apply(writes: WriteSet): void {
    for (const [k, v] of writes) {
      if (v === null) this.kv.delete(k);
      else this.kv.set(k, v);
    }
  }

  /** Every entry as hex, sorted: equal snapshots mean byte-for-byte equal states. */
  snapshot(): string[] {
    return [...this.kv].map(([k, v]) => `${k}=${toHex(v)}`).sort();
  }
}

export const TX_ID = sha256("test-tx");

/** A 32-byte user address. */
export function user(name: string): Uint8Array {
  return sha256("user:", name);
}

export const lit = (bytes: Uint8Array): Value => ({ bytes });
export const u64 = (v: bigint | number): Value => ({ bytes: encodeU64(BigInt(v)) });
export const principalOf = (id: string): Value => ({ bytes: contractPrincipal(id) });

/** One deployed contract: its id, code and state, and a way to call it as a user. */
export class Deployed {
  readonly state = new MapState();

  constructor(
    readonly runtime: Runtime,
    readonly id: string,
    readonly codeHash: string,
  ) {}

  get principal(): Uint8Array {
    return contractPrincipal(this.id);
  }

  request(caller: Uint8Array, method: string, args: Value[] = [], extra: Partial<CallRequest> = {}): CallRequest {
    return { contract: this.id, codeHash: this.codeHash, state: this.state, caller, method, args, txId: TX_ID, ...extra };
  }

  /** Calls and, on success, applies the writes. */
  call(caller: Uint8Array, method: string, args: Value[] = [], extra: Partial<CallRequest> = {}): CallResult {
    const r = this.runtime.call(this.request(caller, method, args, extra));
    if (r.ok) this.state.apply(r.writes);
    return r;
  }

  /** Calls, expects success, returns the return data tagged with this call as its origin. */
  ok(caller: Uint8Array, method: string, args: Value[] = []): Value {
    const r = this.call(caller, method, args);
    if (!r.ok) expect.fail(`${this.id}.${method} failed: ${r.failure.kind}: ${r.failure.message}`);
    return { bytes: r.returnData, origin: { contract: this.id, method } };
  }

  /** Calls, expects a failure of this kind (and message, if given), and checks that state is unchanged. */
  fails(caller: Uint8Array, method: string, args: Value[], kind: string, message?: string | RegExp): void {
    const before = this.state.snapshot();
    const r = this.call(caller, method, args);
    expect(r.ok, `${this.id}.${method} should fail`).toBe(false);
    if (r.ok) return;
    expect(r.failure.kind).toBe(kind);
    if (message !== undefined) expect(r.failure.message).toMatch(message);
    expect(this.state.snapshot()).toEqual(before);
  }
}

/** Registers a library contract and deploys it under `id`, calling init with args when given. */
export function deploy(runtime: Runtime, name: LibraryContractName, id: string, init?: Value[]): Deployed {
  const d = new Deployed(runtime, id, runtime.registerCode(loadLibraryWasm(name)));
  if (init !== undefined) d.ok(user("deployer"), "init", init);
  return d;
}

/** Features Node's engine accepts by default, for test modules (the runtime allows a subset). */
export const NODE_FEATURES =
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.SIMD128 |
  binaryen.Features.Atomics |
  binaryen.Features.ReferenceTypes |
  binaryen.Features.Multivalue;

/** A module from WebAssembly text. */
export function wat(text: string): Uint8Array {
  const m = binaryen.parseText(text);
  try {
    m.setFeatures(NODE_FEATURES);
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/** Every host import a WAT test module may need. */
export const HOST_IMPORTS_WAT = `
  (import "env" "arg_count" (func $arg_count (result i32)))
  (import "env" "arg_len" (func $arg_len (param i32) (result i32)))
  (import "env" "arg_read" (func $arg_read (param i32 i32)))
  (import "env" "storage_len" (func $storage_len (param i32 i32) (result i32)))
  (import "env" "storage_read" (func $storage_read (param i32 i32 i32)))
  (import "env" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "env" "ret" (func $ret (param i32 i32)))
`;
