/**
 * Hashing for the whole library. Importing this module installs the `@chainsafe/hashtree` hasher
 * into `@chainsafe/persistent-merkle-tree` (and so into `@chainsafe/ssz`, which shares that
 * package). Every module that builds trees or SSZ roots imports this module first.
 */
import { digest } from "@chainsafe/as-sha256";
import { hashInto } from "@chainsafe/hashtree";
import { setHasher } from "@chainsafe/persistent-merkle-tree";
import { hasher as hashtreeHasher } from "@chainsafe/persistent-merkle-tree/hasher/hashtree";

setHasher(hashtreeHasher);

const utf8 = new TextEncoder();

/**
 * SHA-256 over the concatenation of the parts (strings as UTF-8). Uses @chainsafe/as-sha256
 * (WebAssembly): for the short inputs hashed here it is several times faster than node:crypto.
 */
export function sha256(...parts: (Uint8Array | string)[]): Uint8Array {
  if (parts.length === 1 && typeof parts[0] !== "string") return digest(parts[0] as Uint8Array);
  const bytes = parts.map((p) => (typeof p === "string" ? utf8.encode(p) : p));
  let n = 0;
  for (const b of bytes) n += b.length;
  const all = new Uint8Array(n);
  let o = 0;
  for (const b of bytes) {
    all.set(b, o);
    o += b.length;
  }
  return digest(all);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function fromHex(hex: string): Uint8Array {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new TypeError(`not hex: ${hex.slice(0, 20)}`);
  return new Uint8Array(Buffer.from(h, "hex"));
}

/**
 * The first four bytes of `bytes` as a big-endian unsigned integer. Reads through the view's own
 * offset: a hash may be a view into a shared pool, whose `.buffer` starts elsewhere.
 */
export function readUint32BE(bytes: Uint8Array, offset = 0): number {
  if (offset + 4 > bytes.length) throw new RangeError(`readUint32BE: need ${offset + 4} bytes, have ${bytes.length}`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The 32-byte principal of a contract: how token balances and receipts name a contract. */
export function contractPrincipal(id: string): Uint8Array {
  return sha256("xshard:contract:", id);
}

/**
 * SHA-256 of each 64-byte block of `input` (two 32-byte nodes), into `output` (32 bytes per block),
 * in one call of the hashtree library: its per-call cost dominates a single 64-byte hash, so
 * hashing many pairs at once costs several times less per hash than `digest64` pair by pair.
 */
export function digest64Many(input: Uint8Array, output: Uint8Array): void {
  if (input.length % 64 !== 0 || output.length !== input.length / 2) throw new RangeError(`digest64Many: ${input.length} input bytes, ${output.length} output bytes`);
  if (input.length > 0) hashInto(input, output);
}
