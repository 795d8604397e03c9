/**
 * SHA-256 of short messages (at most 55 bytes: one compression block) in plain JavaScript. The
 * state hashes many such messages one at a time — a key's position (a ≤ 64-byte key) and a bucket's
 * leaf (usually one pair, ≈ 45 bytes) — where a call into `@chainsafe/as-sha256` costs more in its
 * copies and allocations than the one compression itself. The same digest as every SHA-256
 * (test/state/shortHash.test.ts checks it against node:crypto for every length).
 */

/** Longest message hashed here: 55 bytes, plus the 0x80 byte and the 8-byte length, fill one block. */
export const SHORT_HASH_MAX_BYTES = 55;

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The message schedule, and the digest's eight big-endian words after `compress`. */
const W = new Int32Array(64);
const H = new Int32Array(8);

/** Hashes data[start, start + n) (n at most SHORT_HASH_MAX_BYTES, checked by the callers) into H. */
function compress(data: Uint8Array, start: number, n: number): void {
  const w = W;
  w.fill(0, 0, 16);
  for (let i = 0; i < n; i++) w[i >> 2] = (w[i >> 2] as number) | ((data[start + i] as number) << (24 - 8 * (i & 3)));
  w[n >> 2] = (w[n >> 2] as number) | (0x80 << (24 - 8 * (n & 3)));
  w[15] = n * 8;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15] as number;
    const y = w[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
  }
  let a = IV[0] as number;
  let b = IV[1] as number;
  let c = IV[2] as number;
  let d = IV[3] as number;
  let e = IV[4] as number;
  let f = IV[5] as number;
  let g = IV[6] as number;
  let h = IV[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (w[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = a + (IV[0] as number);
  H[1] = b + (IV[1] as number);
  H[2] = c + (IV[2] as number);
  H[3] = d + (IV[3] as number);
  H[4] = e + (IV[4] as number);
  H[5] = f + (IV[5] as number);
  H[6] = g + (IV[6] as number);
  H[7] = h + (IV[7] as number);
}

/** A RangeError for an input of more than SHORT_HASH_MAX_BYTES bytes. */
function assertShort(n: number): void {
  if (n > SHORT_HASH_MAX_BYTES) throw new RangeError(`short sha256: ${n} bytes (at most ${SHORT_HASH_MAX_BYTES})`);
}

/** sha256(data) for data of at most SHORT_HASH_MAX_BYTES; a RangeError for longer data. */
export function sha256Short(data: Uint8Array): Uint8Array {
  assertShort(data.length);
  compress(data, 0, data.length);
  const out = new Uint8Array(32);
  for (let j = 0; j < 8; j++) {
    const v = H[j] as number;
    out[4 * j] = v >>> 24;
    out[4 * j + 1] = v >>> 16;
    out[4 * j + 2] = v >>> 8;
    out[4 * j + 3] = v;
  }
  return out;
}

/** The first four bytes of sha256(data), big-endian, as an unsigned integer (data as for sha256Short). */
export function sha256ShortTop(data: Uint8Array): number {
  assertShort(data.length);
  compress(data, 0, data.length);
  return (H[0] as number) >>> 0;
}

/** The eight hash words of a tree node (`Node.h0` … `h7`). */
export interface HashWords {
  h0: number | null;
  h1: number;
  h2: number;
  h3: number;
  h4: number;
  h5: number;
  h6: number;
  h7: number;
}

/** A big-endian digest word as a node's hash word (the little-endian int32 of the same four bytes). */
function swapWord(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/**
 * sha256(data[start, end)) (at most SHORT_HASH_MAX_BYTES, else a RangeError) written into `out`'s
 * hash words, as `uint8ArrayToHashObject` of the digest would set them: no digest array.
 */
export function sha256ShortInto(data: Uint8Array, start: number, end: number, out: HashWords): void {
  const n = end - start;
  assertShort(n);
  compress(data, start, n);
  out.h0 = swapWord(H[0] as number);
  out.h1 = swapWord(H[1] as number);
  out.h2 = swapWord(H[2] as number);
  out.h3 = swapWord(H[3] as number);
  out.h4 = swapWord(H[4] as number);
  out.h5 = swapWord(H[5] as number);
  out.h6 = swapWord(H[6] as number);
  out.h7 = swapWord(H[7] as number);
}
