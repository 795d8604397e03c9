/** A hand-written test contract (WebAssembly text) probing metering and the host interface. */
import type { Value } from "../../src/types.js";
import { HOST_IMPORTS_WAT, wat } from "./helpers.js";

export const PROBE_WASM = wat(`(module
  ${HOST_IMPORTS_WAT}
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (import "env" "storage_delete" (func $storage_delete (param i32 i32)))
  (memory 1)
  ;; AssemblyScript strings (UTF-16LE, byte length at ptr - 4): "boom" at 1000, "~lib/rt/x" at 1100
  (data (i32.const 996) "\\08\\00\\00\\00b\\00o\\00o\\00m\\00")
  (data (i32.const 1096) "\\12\\00\\00\\00~\\00l\\00i\\00b\\00/\\00r\\00t\\00/\\00x\\00")
  (func (export "aborts") (call $abort (i32.const 1000) (i32.const 0) (i32.const 7) (i32.const 3)))
  (func (export "abortsInAllocator") (call $abort (i32.const 1000) (i32.const 1100) (i32.const 1) (i32.const 2)))
  ;; argument 0 as an i32 (4 bytes little-endian)
  (func $argI32 (result i32)
    (call $arg_read (i32.const 0) (i32.const 0))
    (i32.load (i32.const 0)))
  ;; counts argument 0 down to zero
  (func (export "spin") (local $n i32)
    (local.set $n (call $argI32))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))
  (func $rec (param $d i32)
    (if (local.get $d) (then (call $rec (i32.sub (local.get $d) (i32.const 1))))))
  ;; recursion as deep as argument 0
  (func (export "recurse") (call $rec (call $argI32)))
  ;; memory.fill of argument 0 bytes
  (func (export "fill") (memory.fill (i32.const 0) (i32.const 0) (call $argI32)))
  ;; writes "k" = argument 0, reads it back, returns what it read
  (func (export "rw")
    (i32.store8 (i32.const 100) (i32.const 107))
    (call $arg_read (i32.const 0) (i32.const 200))
    (call $storage_write (i32.const 100) (i32.const 1) (i32.const 200) (call $arg_len (i32.const 0)))
    (call $storage_read (i32.const 100) (i32.const 1) (i32.const 300))
    (call $ret (i32.const 300) (call $storage_len (i32.const 100) (i32.const 1))))
  ;; "k"'s length from the state, after writing 2 bytes to it, after deleting it: three i32s
  (func (export "rwd")
    (i32.store8 (i32.const 100) (i32.const 107))
    (i32.store (i32.const 0) (call $storage_len (i32.const 100) (i32.const 1)))
    (call $storage_write (i32.const 100) (i32.const 1) (i32.const 200) (i32.const 2))
    (i32.store (i32.const 4) (call $storage_len (i32.const 100) (i32.const 1)))
    (call $storage_delete (i32.const 100) (i32.const 1))
    (i32.store (i32.const 8) (call $storage_len (i32.const 100) (i32.const 1)))
    (call $ret (i32.const 0) (i32.const 12)))
  ;; a 65-byte key: over the limit
  (func (export "bigkey") (call $storage_write (i32.const 0) (i32.const 65) (i32.const 0) (i32.const 1)))
  ;; a value of 1025 bytes: over the limit
  (func (export "bigvalue") (call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1025)))
  ;; a pointer past the end of memory
  (func (export "oob") (call $ret (i32.const 65530) (i32.const 100)))
  ;; the bits of 0.0 / 0.0
  (func (export "nan")
    (i64.store (i32.const 0) (i64.reinterpret_f64 (f64.div (f64.const 0) (f64.const 0))))
    (call $ret (i32.const 0) (i32.const 8)))
  ;; increments a global and returns it (must not leak between calls)
  (global $g (mut i32) (i32.const 0))
  (func (export "bump")
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.store (i32.const 0) (global.get $g))
    (call $ret (i32.const 0) (i32.const 4)))
;; increments the i32 at address 500 and returns it (must not leak between calls)
  (func (export "mbump")
    (i32.store (i32.const 500) (i32.add (i32.load (i32.const 500)) (i32.const 1)))
    (call $ret (i32.const 500) (i32.const 4)))
  ;; not methods: a parameter, a result, reserved names
  (func (export "withParam") (param i32))
  (func (export "withResult") (result i32) (i32.const 1))
  (func (export "__hidden"))
  (func (export "_start"))
)`);

/** An i32 argument. */
export function i32(n: number): Value {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return { bytes: b };
}
