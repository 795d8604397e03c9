/**
 * Hex decoding for the proof reader: the same bytes and the same errors as the field reader's
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

/** The bytes of `s` (even length), or undefined when a character is not a hex digit. */
export function decodeHex(s: string): Uint8Array | undefined {
  const n = s.length >>> 1;
  const out = new Uint8Array(n);
  let bad = 0;
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const a = s.charCodeAt(j);
    const b = s.charCodeAt(j + 1);
    const hi = a < 128 ? (DIGITS[a] as number) : -1;
    const lo = b < 128 ? (DIGITS[b] as number) : -1;
    bad |= hi | lo;
    out[i] = (hi << 4) | lo;
  }
  return bad < 0 ? undefined : out;
}

/** A field reader whose `hex` decodes with `decodeHex` (every other method, and every error, the field reader's own). */
export function createProofReader(code: string, what: string): FieldReader {
  const r = createFieldReader(code, what);
  return {
    ...r,
    hex(x, path, bytes, maxBytes = Number.MAX_SAFE_INTEGER) {
      if (typeof x !== "string" || x.length % 2 !== 0) r.fail(path, "must be a hex string (no 0x, even length)");
      const out = decodeHex(x as string);
      if (out === undefined) return r.fail(path, "must be a hex string (no 0x, even length)");
      if (bytes !== undefined && out.length !== bytes) r.fail(path, `must be exactly ${bytes} bytes, got ${out.length}`);
      if (out.length > maxBytes) r.fail(path, `must be at most ${maxBytes} bytes, got ${out.length}`);
      return out;
    },
  };
}
