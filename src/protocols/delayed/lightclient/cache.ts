/**
 * The checker's cache of parts already checked (header → batch → affirmation): each entry a
 * private copy of the JSON it checked (`copyJson`), matched by deep equality (`isSameJson`), so a
 * part is skipped only when it is identical to one fully checked before.
 */

/** A checked part (a private copy of its JSON), its verdict, and the cache of the parts below it (header → batches → affirmations). */
export interface Cached<T> {
  readonly parts: readonly unknown[];
  readonly value: T;
  /** Made when the first part below it is cached (an affirmation, the last level, has none). */
  children: Map<unknown, Cached<unknown>[]> | undefined;
  /** Set when a deferred check it relied on failed: never matched again. */
  dead: boolean;
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

/*
 * `isSameJson(stored, parts)` for the three cache levels, written for the shape a stored copy has
 * (it passed the checks: flat objects of primitives, lists of primitives): named fields compared
 * in place, lists of numbers and hex strings in one loop, no recursion. Each returns true only when
 * `isSameJson(stored, parts)` does (test/protocols/lightclient-hex.test.ts compares them on real and
 * damaged parts); it may return false for a part `isSameJson` would match only when the stored copy
 * lacks a field (never, for a part that passed its check), which costs a check, not a verdict.
 */

const HEADER_KEYS = ["number", "slot", "parentRoot", "batchesRoot", "evidenceRoot"] as const;
const BATCH_KEYS = ["committee", "round", "gasUsed", "executions", "affirmationsRoot"] as const;
const AFFIRMATION_KEYS = ["contract", "first", "last", "preRoot", "postRoot", "resultsRoot"] as const;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The own enumerable keys of `x` (as `isSameJson` counts them: inherited ones ignored) are exactly
 * `keys` (distinct), in one pass over them: no key list, one `hasOwnProperty` per key.
 */
function ownKeysAre(x: Record<string, unknown>, keys: readonly string[]): boolean {
  let n = 0;
  for (const k in x) {
    if (!hasOwn.call(x, k)) continue;
    // for-in yields each key once, so `keys.length` own keys all among `keys` are exactly `keys`.
    if (n >= keys.length || (keys[n] !== k && !keys.includes(k))) return false;
    n++;
  }
  return n === keys.length;
}

/** `x` has exactly `keys` as own keys, and equals `stored` on them (primitives). */
function sameFields(stored: Record<string, unknown>, x: unknown, keys: readonly string[]): x is Record<string, unknown> {
  if (!isRecord(x)) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = stored[k];
    if (v === undefined || v !== x[k]) return false;
  }
  return ownKeysAre(x, keys);
}

/** A stored list of numbers (signer indices, applied indices: a checked part's lists hold nothing else) and `x`, four at a time. */
function sameNumbers(stored: unknown, x: unknown): boolean {
  if (!Array.isArray(stored) || !Array.isArray(x) || x.length !== stored.length) return false;
  const n = stored.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) if (stored[i] !== x[i] || stored[i + 1] !== x[i + 1] || stored[i + 2] !== x[i + 2] || stored[i + 3] !== x[i + 3]) return false;
  for (; i < n; i++) if (stored[i] !== x[i]) return false;
  return true;
}

/** A stored list of strings (branch nodes) and `x`: `sameNumbers`, apart so that each compares one kind of item. */
function sameStrings(stored: unknown, x: unknown): boolean {
  if (!Array.isArray(stored) || !Array.isArray(x) || x.length !== stored.length) return false;
  for (let i = 0; i < stored.length; i++) if (stored[i] !== x[i]) return false;
  return true;
}

const ATTESTATION_KEYS = ["signers", "signature"];
const BRANCH_KEYS = ["count", "index", "branch"];
const AFFIRMATION_ALL_KEYS = [...AFFIRMATION_KEYS, "assumptions"];
const ASSUMPTION_KEYS = ["contract", "position", "root"];

/** `{signers, signature}`. */
function sameAttestation(stored: unknown, x: unknown): boolean {
  const s = stored as Record<string, unknown>;
  return isRecord(x) && typeof s.signature === "string" && s.signature === x.signature && sameNumbers(s.signers, x.signers) && ownKeysAre(x, ATTESTATION_KEYS);
}

/** `{count, index, branch}`. */
function sameBranch(stored: unknown, x: unknown): boolean {
  const s = stored as Record<string, unknown>;
  return isRecord(x) && s.count !== undefined && s.count === x.count && s.index !== undefined && s.index === x.index && sameStrings(s.branch, x.branch) && ownKeysAre(x, BRANCH_KEYS);
}

function sameHeader(stored: readonly unknown[], genesisRoot: unknown, header: unknown, attestation: unknown): boolean {
  return typeof stored[0] === "string" && stored[0] === genesisRoot && sameFields(stored[1] as Record<string, unknown>, header, HEADER_KEYS) && sameAttestation(stored[2], attestation) && stored.length === 3;
}

/** The header level's parts: `[genesisRoot, header, headerAttestation]`. */
export function sameHeaderParts(stored: readonly unknown[], parts: readonly unknown[]): boolean {
  return parts.length === 3 && sameHeader(stored, parts[0], parts[1], parts[2]);
}

/** `sameHeaderParts(stored, [o.genesisRoot, o.header, o.headerAttestation])` of a proof `o`, without the list. */
export function sameHeaderOf(stored: readonly unknown[], o: Record<string, unknown>): boolean {
  return sameHeader(stored, o.genesisRoot, o.header, o.headerAttestation);
}

/** The stored form of a proof's header parts (a private copy), for `sameHeaderOf`. */
export function storeHeaderOf(o: Record<string, unknown>): readonly unknown[] {
  return copyJson([o.genesisRoot, o.header, o.headerAttestation]) as unknown[];
}

function sameBatch(stored: readonly unknown[], batch: unknown, attestation: unknown, applied: unknown, inclusion: unknown): boolean {
  return sameFields(stored[0] as Record<string, unknown>, batch, BATCH_KEYS) && sameAttestation(stored[1], attestation) && sameNumbers(stored[2], applied) && sameBranch(stored[3], inclusion) && stored.length === 4;
}

/** The batch level's parts: `[batch, batchAttestation, applied, inclusion]`. */
export function sameBatchParts(stored: readonly unknown[], parts: readonly unknown[]): boolean {
  return parts.length === 4 && sameBatch(stored, parts[0], parts[1], parts[2], parts[3]);
}

/** `sameBatchParts` of a proof's batch parts, without the list. */
export function sameBatchOf(stored: readonly unknown[], o: Record<string, unknown>): boolean {
  return sameBatch(stored, o.batch, o.batchAttestation, o.applied, o.inclusion);
}

/** The stored form of a proof's batch parts (a private copy), for `sameBatchOf`. */
export function storeBatchOf(o: Record<string, unknown>): readonly unknown[] {
  return copyJson([o.batch, o.batchAttestation, o.applied, o.inclusion]) as unknown[];
}

/**
 * The affirmation level's parts, `[affirmation, affirmationProof]`, kept as one flat list of their
 * primitives (a fresh batch keeps one entry per affirmation — about one per two proofs — so one
 * array instead of `copyJson`'s six objects and lists is less for every scavenge to copy). For a
 * part that passed its check; `sameAffirmationParts` compares against it.
 */
export function storeAffirmationParts(parts: readonly unknown[]): readonly unknown[] {
  return storeAffirmation(parts[0] as Record<string, unknown>, parts[1] as Record<string, unknown>);
}

/** `storeAffirmationParts([o.affirmation, o.affirmationProof])`. */
export function storeAffirmationOf(o: Record<string, unknown>): readonly unknown[] {
  return storeAffirmation(o.affirmation as Record<string, unknown>, o.affirmationProof as Record<string, unknown>);
}

function storeAffirmation(a: Record<string, unknown>, b: Record<string, unknown>): readonly unknown[] {
  const assumptions = a.assumptions as Record<string, unknown>[];
  const branch = b.branch as unknown[];
  // Made at its size (pushes would grow it in steps, leaving the smaller copies as garbage).
  const out = new Array<unknown>(10 + 3 * assumptions.length + branch.length);
  out[0] = a.contract;
  out[1] = a.first;
  out[2] = a.last;
  out[3] = a.preRoot;
  out[4] = a.postRoot;
  out[5] = a.resultsRoot;
  out[6] = b.count;
  out[7] = b.index;
  out[8] = assumptions.length;
  out[9] = branch.length;
  let at = 10;
  for (const x of assumptions) {
    out[at++] = x.contract;
    out[at++] = x.position;
    out[at++] = x.root;
  }
  for (const x of branch) out[at++] = x;
  return out;
}

/** `isSameJson(copyJson(checked), parts)` for `stored = storeAffirmationParts(checked)`. */
export function sameAffirmationParts(stored: readonly unknown[], parts: readonly unknown[]): boolean {
  return parts.length === 2 && sameAffirmation(stored, parts[0], parts[1]);
}

/** `sameAffirmationParts(stored, [o.affirmation, o.affirmationProof])`, without the list. */
export function sameAffirmationOf(stored: readonly unknown[], o: Record<string, unknown>): boolean {
  return sameAffirmation(stored, o.affirmation, o.affirmationProof);
}

function sameAffirmation(stored: readonly unknown[], x: unknown, y: unknown): boolean {
  if (!isRecord(x) || !isRecord(y)) return false;
  if (x.contract !== stored[0] || x.first !== stored[1] || x.last !== stored[2] || x.preRoot !== stored[3] || x.postRoot !== stored[4] || x.resultsRoot !== stored[5]) return false;
  if (y.count !== stored[6] || y.index !== stored[7]) return false;
  const xa = x.assumptions;
  const yb = y.branch;
  const na = stored[8] as number;
  const nb = stored[9] as number;
  if (!Array.isArray(xa) || xa.length !== na || !Array.isArray(yb) || yb.length !== nb) return false;
  let at = 10;
  for (let i = 0; i < na; i++, at += 3) {
    const s = xa[i];
    if (!isRecord(s) || s.contract !== stored[at] || s.position !== stored[at + 1] || s.root !== stored[at + 2] || !ownKeysAre(s, ASSUMPTION_KEYS)) return false;
  }
  for (let i = 0; i < nb; i++) if (yb[i] !== stored[at + i]) return false;
  return ownKeysAre(x, AFFIRMATION_ALL_KEYS) && ownKeysAre(y, BRANCH_KEYS);
}
