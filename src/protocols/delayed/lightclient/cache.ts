/**
 * The checker's cache of parts already checked (header → batch → affirmation): each entry a
 * private copy of the JSON it checked, matched by deep equality, so a part is skipped only when it
 * is identical to one fully checked before.
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
