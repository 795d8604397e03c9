/**
 * The proof reader (`createProofReader`): the field reader with faster hex decoding and list and
 * string reading. Hex decoding: the same bytes and the same errors as the field reader's
 * `hex` (src/chain/fields.ts; test/protocols/lightclient-hex.test.ts compares them), decoded by a
 * table look-up per character into a fresh array. Node's `Buffer#write(…, "hex")` costs about three
 * times as much for a 32-byte root (it needs the array's buffer materialised off the heap), and a
 * proof holds some 20 hex strings.
 */
import { createFieldReader, type FieldReader } from "../../../chain/fields.js";

/** Value of each ASCII hex digit, -1 for every other code below 128. */
const DIGITS = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i;
    t[97 + i] = 10 + i;
  }
  return t;
})();

/**
 * Bytes for a decoded string: up to 64 a fresh array (V8 keeps those on its heap); longer ones a
 * view of a shared 64 KiB buffer, used once front to back and never rewritten (V8 gives a longer
 * fresh array its own off-heap buffer: ≈ 430 ns against ≈ 60 ns for a view, measured here).
 * Views never overlap, so each is as private as a fresh array; only `.buffer` shows the others.
 */
const POOL_BYTES = 1 << 16;
let pool = new ArrayBuffer(POOL_BYTES);
let poolAt = 0;
/** The bytes of every empty string: one frozen empty array (it has no bytes to change, and no property can be added). */
const EMPTY = Object.freeze(new Uint8Array(0));
function allocate(n: number): Uint8Array {
  if (n === 0) return EMPTY;
  if (n <= 64) return new Uint8Array(n);
  if (n > POOL_BYTES >>> 2) return new Uint8Array(n);
  if (poolAt + n > POOL_BYTES) {
    pool = new ArrayBuffer(POOL_BYTES);
    poolAt = 0;
  }
  const out = new Uint8Array(pool, poolAt, n);
  poolAt += (n + 7) & ~7;
  return out;
}

/** The bytes of `s` (even length), or undefined when a character is not a hex digit. */
export function decodeHex(s: string): Uint8Array | undefined {
  const n = s.length >>> 1;
  const out = allocate(n);
  return decodeHexInto(s, n, out, 0) ? out : undefined;
}

/**
 * Decodes `s` (`2 × bytes` characters, the caller checked the length) into `out` at `at`, straight
 * into a hashing buffer (no array per string): false when a character is not a hex digit (then the
 * bytes written are meaningless).
 */
export function decodeHexInto(s: string, bytes: number, out: Uint8Array, at: number): boolean {
  let bad = 0;
  for (let i = 0, j = 0; i < bytes; i++, j += 2) {
    const a = s.charCodeAt(j);
    const b = s.charCodeAt(j + 1);
    const hi = a < 128 ? (DIGITS[a] as number) : -1;
    const lo = b < 128 ? (DIGITS[b] as number) : -1;
    bad |= hi | lo;
    out[at + i] = (hi << 4) | lo;
  }
  return bad >= 0;
}

/** `r.hex(x, path, bytes)` decoded into `out` at `at`: the common case here, anything else (an error) by the reader. */
export function readHexInto(r: ProofReader, x: unknown, path: string, bytes: number, out: Uint8Array, at: number): void {
  if (typeof x === "string" && x.length === bytes * 2 && decodeHexInto(x, bytes, out, at)) return;
  out.set(r.hex(x, path, bytes), at);
}

/** The field reader of proofs: hex decoded by `decodeHex`, and lists of hex strings read without a path string per item. */
export interface ProofReader extends FieldReader {
  /**
   * `list(x, path, maxLength, (v, p) => hex(v, p, bytes, maxBytes))`, with `null` items kept as
   * null when `nulls` (the same values and the same errors; an item's path is built only for its error).
   */
  hexList(x: unknown, path: string, maxLength: number, bytes: number | undefined, maxBytes: number | undefined, nulls: true): (Uint8Array | null)[];
  hexList(x: unknown, path: string, maxLength: number, bytes?: number, maxBytes?: number, nulls?: false): Uint8Array[];
  /** `list(x, path, maxLength, (v, p) => uint(v, p))` (the same values and errors; an item's path is built only for its error). */
  uintList(x: unknown, path: string, maxLength: number): number[];
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A field reader whose `hex` decodes with `decodeHex` (every other method, and every error, the field reader's own). */
export function createProofReader(code: string, what: string): ProofReader {
  const r = createFieldReader(code, what);
  function hex(x: unknown, path: string, bytes?: number, maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
    if (typeof x !== "string" || x.length % 2 !== 0) r.fail(path, "must be a hex string (no 0x, even length)");
    const out = decodeHex(x as string);
    if (out === undefined) return r.fail(path, "must be a hex string (no 0x, even length)");
    if (bytes !== undefined && out.length !== bytes) r.fail(path, `must be exactly ${bytes} bytes, got ${out.length}`);
    if (out.length > maxBytes) r.fail(path, `must be at most ${maxBytes} bytes, got ${out.length}`);
    return out;
  }
  function hexList(x: unknown, path: string, maxLength: number, bytes?: number, maxBytes = Number.MAX_SAFE_INTEGER, nulls = false): (Uint8Array | null)[] {
    if (!Array.isArray(x)) r.fail(path, "must be a list");
    const xs = x as unknown[];
    if (xs.length > maxLength) r.fail(path, `must hold at most ${maxLength} items, got ${xs.length}`);
    const out = new Array<Uint8Array | null>(xs.length);
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i];
      if (v === null && nulls) {
        out[i] = null;
        continue;
      }
      const b = typeof v === "string" && v.length % 2 === 0 ? decodeHex(v) : undefined;
      // The common case checked here; anything else read again by `hex` for its error, under its path.
      out[i] = b !== undefined && (bytes === undefined || b.length === bytes) && b.length <= maxBytes ? b : hex(v, `${path}[${i}]`, bytes, maxBytes);
    }
    return out;
  }
  /**
   * `r.object`, with the common case — exactly the `allowed` keys, all own and enumerable, none
   * optional — answered by one pass over the keys (no key list, no search per key); anything else
   * read again by `r.object`, for its answer or error.
   */
  function object(x: unknown, path: string, allowed: readonly string[], optional?: readonly string[]): Record<string, unknown> {
    if (optional === undefined && typeof x === "object" && x !== null && !Array.isArray(x)) {
      const o = x as Record<string, unknown>;
      let n = 0;
      let known = true;
      for (const k in o) {
        if (!hasOwn.call(o, k)) continue;
        // Keys are distinct, so `allowed.length` own keys all in `allowed` are exactly `allowed`.
        if (n >= allowed.length || allowed[n] !== k) known = known && allowed.includes(k);
        n++;
      }
      if (known && n === allowed.length) return o;
    }
    return r.object(x, path, allowed, optional);
  }
  function string(x: unknown, path: string, maxLength: number): string {
    // At most 3 UTF-8 bytes per UTF-16 unit: a short string needs no encoding to be within bounds.
    if (typeof x === "string" && x !== "" && x.length * 3 <= maxLength) return x;
    return r.string(x, path, maxLength);
  }
  function uintList(x: unknown, path: string, maxLength: number): number[] {
    if (Array.isArray(x) && x.length <= maxLength) {
      const xs = x as unknown[];
      let ok = true;
      for (let i = 0; i < xs.length && ok; i++) {
        const v = xs[i];
        ok = typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
      }
      if (ok) return xs.slice() as number[];
    }
    // Anything else (an error, or a list with holes, which `list` maps as they are) by the reader.
    return r.list(x, path, maxLength, (v, p) => r.uint(v, p));
  }
  return { ...r, object, hex, hexList: hexList as ProofReader["hexList"], string, uintList };
}
