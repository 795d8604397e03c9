/**
 * The checker's cache of parts already checked (header → batch → affirmation): each entry a
 * private copy of the JSON it checked (`copyJson`), matched by deep equality (`isSameJson`), so a
 * part is skipped only when it is identical to one fully checked before.
 */

/** A checked part (a private copy of its JSON), its verdict, and the cache of the parts below it (header → batches → affirmations). */
export interface Cached<T> {
  readonly parts: readonly unknown[];
  readonly value: T;
  readonly children: Map<string, Cached<unknown>[]>;
}

/** Deep equality of decoded JSON values (key order ignored; own keys only; no key lists allocated). */
export function isSameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const isArray = Array.isArray(a);
  if (isArray !== Array.isArray(b)) return false;
  if (isArray) {
    const as = a as unknown[];
    const bs = b as unknown[];
    if (as.length !== bs.length) return false;
    for (let i = 0; i < as.length; i++) {
      const x = as[i];
      // Primitives (signer indices, hex strings) compared here, without a call.
      if (x !== bs[i] && (typeof x !== "object" || !isSameJson(x, bs[i]))) return false;
    }
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let keys = 0;
  for (const k in ao) {
    if (!Object.hasOwn(ao, k)) continue;
    keys++;
    const x = ao[k];
    if (!Object.hasOwn(bo, k) || (x !== bo[k] && (typeof x !== "object" || !isSameJson(x, bo[k])))) return false;
  }
  for (const k in bo) if (Object.hasOwn(bo, k)) keys--;
  return keys === 0;
}

/**
 * A private deep copy of a decoded JSON value (plain objects, arrays, primitives), for the cache to
 * keep what it checked out of the caller's reach. The same result as `structuredClone` for such
 * values (own enumerable keys, key order kept), at a fraction of its cost: `structuredClone`
 * serialises and deserialises, and was the largest single cost of a fresh checker's cache.
 */
export function copyJson(x: unknown): unknown {
  if (typeof x !== "object" || x === null) return x;
  if (Array.isArray(x)) {
    const out = new Array<unknown>(x.length);
    for (let i = 0; i < x.length; i++) out[i] = copyJson(x[i]);
    return out;
  }
  const o = x as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    // An own "__proto__" (JSON.parse makes one) stays a plain key, not the copy's prototype.
    if (k === "__proto__") Object.defineProperty(out, k, { value: copyJson(o[k]), enumerable: true, writable: true, configurable: true });
    else out[k] = copyJson(o[k]);
  }
  return out;
}
