/**
 * Verifying outcome proofs against a trust anchor (see `anchor.ts`, docs/protocols/lightclient.md).
 *
 * One proof: every field type-checked (unknown fields refused), the chain named by the proof equal
 * to the anchor's, the Stage-2 header signed by ≥ 2/3 of the stake of the attesters *derived* for
 * its number, the batch signed by ≥ 2/3 of the (unslashed) stake of the contract committee
 * *derived* for its index, and the four Merkle branches leaf → results root → batch → header.
 *
 * Many proofs (`createTxProofChecker`): proofs that share a header or a batch share their checks.
 * Derived committees are kept per block number and committee index; each aggregate signature is
 * checked once per (signing root, signers, signature); a header, batch or affirmation part identical
 * to one fully checked before (deep equality with a private copy) is not checked again — after the
 * first proof of an affirmation, a proof costs its own leaf, its values root and one Merkle branch.
 * The pairings of the proofs read together wait until all of them are read and are checked in one
 * call when the verifier has `verifyAggregateSets` (`signatures.ts`); a bad one is still reported
 * as the first bad proof in order, and the cache entries that relied on it are forgotten.
 */
import { toHex } from "../../../crypto/hash.js";
import { SIGNATURE_BYTES, type AggregateSet, type SignatureVerifier } from "../../../crypto/bls.js";
import { verifyListProof } from "../../../state/index.js";
import { computeSigningRoot, type PublicValidator } from "../../../chain/index.js";
import {
  BatchHeader,
  BatchInclusion,
  DOMAIN_AFFIRMATION,
  DOMAIN_STAGE2,
  MAX_AFFIRMATIONS,
  Stage2Header,
  encodeContractId,
} from "../containers.js";
import { TX_PROOF_SCHEMA } from "./proof.js";
import { checkQuestion, fail, type ProofQuestion, type TxProofChecker, type TxProofCheckerStats, type VerifiedOutcome } from "./outcome.js";
import { createProofReader } from "./hex.js";
import { computeContractIdRoot } from "./leaf.js";
import { AffirmationBatch } from "./affirmations.js";
import { LeafBatch } from "./leaves.js";
import { BRANCH_FIELDS, MAX_BRANCH, MAX_LIST } from "./branches.js";
import { computeActiveValidators, computeContractCommittee, computeStage2Attesters, getSlashed, type TrustAnchor } from "./anchor.js";
import { sameAffirmationOf, sameBatchOf, sameHeaderOf, storeAffirmationOf, storeBatchOf, storeHeaderOf, type Cached } from "./cache.js";
import { FAULT_TEXT, checkCommitteeSignature, verifyDeferred, type DeferredSignature } from "./signatures.js";

export { checkCommitteeSignature } from "./signatures.js";

export type { ProofQuestion, TxProofChecker, TxProofCheckerStats, VerifiedOutcome } from "./outcome.js";

const r = createProofReader("MALFORMED_PROOF", "proof");
const PROOF_FIELDS = ["schema", "genesisRoot", "header", "headerAttestation", "batch", "batchAttestation", "applied", "inclusion", "affirmation", "affirmationProof", "leaf", "leafProof", "values"];

interface Branch {
  count: number;
  index: number;
  branch: Uint8Array[];
}

/** The field paths of a branch, made once (not per proof). */
const BRANCH_PATHS = new Map<string, { count: string; index: string; branch: string }>();

function readBranch(x: unknown, path: string): Branch {
  let p = BRANCH_PATHS.get(path);
  if (p === undefined) BRANCH_PATHS.set(path, (p = { count: `${path}.count`, index: `${path}.index`, branch: `${path}.branch` }));
  const o = r.object(x, path, BRANCH_FIELDS);
  const count = r.uint(o.count, p.count, MAX_LIST);
  if (count < 1) r.fail(p.count, "must be at least 1");
  return { count, index: r.uint(o.index, p.index, count - 1), branch: r.hexList(o.branch, p.branch, MAX_BRANCH, 32) };
}

function readSignature(x: unknown, path: string): { signers: number[]; signature: Uint8Array } {
  const o = r.object(x, path, ["signers", "signature"]);
  return { signers: r.uintList(o.signers, `${path}.signers`, 1 << 20), signature: r.hex(o.signature, `${path}.signature`, SIGNATURE_BYTES) };
}

function checkBranch(root: Uint8Array, leaf: Uint8Array, b: Branch, what: string): void {
  if (!verifyListProof(root, b.index, leaf, b.branch, b.count)) failBranch(b.index, what);
}

function failBranch(index: number, what: string): never {
  fail("BAD_PROOF", `proof: ${what}: Merkle branch does not lead to the committed root`, { what, index });
}

/**
 * Proofs whose leaves and branches are hashed together. It bounds what a batch keeps alive between
 * reading and hashing: 256 instead of 1,024 gave the fresh batch of 1,000 proofs per header about
 * 15 % more in a same-run A/B (fewer objects surviving each scavenge).
 */
const HASH_BATCH = 256;

/** An affirmation whose root and branch in its batch are hashed at the end of the batch, with the others' (`AffirmationBatch`). */
interface DeferredAffirmation {
  /** Position, in its batch, of the first proof that needs it; `order`: when it was queued (see `queue`). */
  readonly proof: number;
  readonly order: number;
  /** Its index in its batch (for the error). */
  readonly index: number;
  /** The cache entries that relied on it, forgotten should it not verify. */
  evict: { dead?: boolean }[];
}

interface VerifiedHeader {
  readonly number: number;
  readonly slot: number;
  readonly batchesRoot: Uint8Array;
}

interface VerifiedBatch {
  readonly committee: number;
  readonly affirmationsRoot: Uint8Array;
  readonly applied: ReadonlySet<number>;
}

interface VerifiedAffirmation {
  readonly contract: string;
  readonly first: number;
  readonly last: number;
  /** Its results root: 32 bytes of `roots` at `rootAt` (a shared arena: no array per affirmation). */
  readonly roots: Uint8Array;
  readonly rootAt: number;
  readonly committee: number;
}

/**
 * A proof checker bound to one trust anchor. With `cache: false` every proof is checked from
 * scratch (committees derived, both pairings); with `cache: true` (the default) shared parts are
 * checked once (see the module comment). `hashBatch`: proofs whose leaves are hashed together
 * (default 256; the answers do not depend on it).
 */
export function createTxProofChecker(anchor: TrustAnchor, verifier: SignatureVerifier, options: { cache?: boolean; hashBatch?: number } = {}): TxProofChecker {
  const cache = options.cache ?? true;
  // Proofs hashed together (tests set a small one to cross its boundary).
  const hashBatch = options.hashBatch ?? HASH_BATCH;
  const genesisHex = toHex(anchor.genesisRoot);
  const slashed = getSlashed(anchor);
  const fromBlock = anchor.checkpoint?.number ?? 0;
  const checkpointRoot = anchor.checkpoint ? toHex(anchor.checkpoint.headerRoot) : undefined;
  let active: PublicValidator[] | undefined;
  const attesters = new Map<number, PublicValidator[]>();
  const committees = new Map<number, PublicValidator[]>();
  const signatures = new Set<string>();
  const headers = new Map<unknown, Cached<VerifiedHeader>[]>();
  const stats: TxProofCheckerStats = { proofs: 0, headers: 0, batches: 0, affirmations: 0, signatures: 0 };

  function getAttesters(number: number): PublicValidator[] {
    let a = cache ? attesters.get(number) : undefined;
    if (a === undefined) {
      active ??= computeActiveValidators(anchor);
      a = computeStage2Attesters(anchor, active, number);
      if (cache) attesters.set(number, a);
    }
    return a;
  }

  /** Contract ids' roots (their first field chunk), read-only (hashed, never handed out), memoised: a run names few contracts. */
  const contractRoots = new Map<string, Uint8Array>();
  function contractRoot(id: string): Uint8Array {
    let b = contractRoots.get(id);
    if (b === undefined) {
      b = computeContractIdRoot(encodeContractId(id));
      if (contractRoots.size < 4096) contractRoots.set(id, b);
    }
    return b;
  }

  function getCommittee(k: number): PublicValidator[] {
    let c = cache ? committees.get(k) : undefined;
    if (c === undefined) {
      c = computeContractCommittee(anchor, k);
      if (cache) committees.set(k, c);
    }
    return c;
  }

  /**
   * The checks deferred while the proofs of a batch are read, done together before any of them is
   * answered: aggregate signatures (`list`; `open` by key) and affirmations' roots and branches
   * (`affs`). `proof` is the position of the proof being read; `order` numbers the deferred checks
   * as they are queued, so the first failure is the one reading in order would have met.
   */
  let queue = newQueue();
  /** The deferred checks the part being checked relies on (`cached` forgets its entry if one of them fails). */
  let touched: { evict: { dead?: boolean }[] }[] = [];
  /** How many of `touched` are the current part's (the list is reused, not made per part). */
  let touchedN = 0;
  /** Affirmations' results roots, 32 bytes each in chunks; one is taken (`rootAt`) once its affirmation passes, never rewritten. */
  const ROOT_CHUNK = 32 * 512;
  let roots = new Uint8Array(ROOT_CHUNK);
  let rootAt = 0;
  /** The affirmations of the batch being read, in flat buffers (kept from batch to batch); `queue.affs` their order and entries. */
  const affBatch = new AffirmationBatch();
  /** The leaves of the proofs being read, in flat buffers (kept from batch to batch, made for the first call's size). */
  let leafBatch: LeafBatch | undefined;

  function newQueue(): { list: DeferredSignature[]; open: Map<string, DeferredSignature>; affs: DeferredAffirmation[]; proof: number; order: number } {
    return { list: [], open: new Map(), affs: [], proof: 0, order: 0 };
  }

  /** The cheap checks of an attestation now; its pairing deferred to the end of the batch (`verifyDeferred`). */
  function checkSignature(what: string, members: readonly PublicValidator[], gone: ReadonlySet<number>, att: { signers: number[]; signature: Uint8Array }, message: Uint8Array): void {
    const key = cache ? `${toHex(message)}|${att.signers.join(",")}|${toHex(att.signature)}` : "";
    if (cache && signatures.has(key)) return;
    const open = cache ? queue.open.get(key) : undefined;
    if (open !== undefined) {
      touched[touchedN++] = open;
      return;
    }
    let set: AggregateSet | undefined;
    const verdict = checkCommitteeSignature(
      (pubkeys) => {
        set = { pubkeys, msg: message, signature: att.signature };
        return true;
      },
      members,
      gone,
      att.signers,
    );
    if (verdict !== undefined) {
      const who = verdict.signer === undefined ? "" : ` signer ${verdict.signer}`;
      fail("BAD_SIGNATURE", `proof: ${what}:${who} ${FAULT_TEXT[verdict.fault]}`, { what, fault: verdict.fault, ...(verdict.signer === undefined ? {} : { signer: verdict.signer }) });
    }
    const d: DeferredSignature = { proof: queue.proof, order: queue.order++, what, key, set: set as AggregateSet, evict: [] };
    queue.list.push(d);
    if (cache) queue.open.set(key, d);
    touched[touchedN++] = d;
  }

  /** The first failure met in reading order (proof, then the order its checks were queued), kept by `first`. */
  type Failure = { proof: number; order: number; raise: () => never };
  const first = (bad: Failure | undefined, d: { proof: number; order: number }, raise: () => never): Failure => {
    return bad === undefined || d.proof < bad.proof || (d.proof === bad.proof && d.order < bad.order) ? { proof: d.proof, order: d.order, raise } : bad;
  };

  /**
   * The waiting affirmations hashed together (roots, then branches in their batches): the first
   * failure in reading order, its entries forgotten, or `bad` unchanged.
   */
  function settleAffirmations(bad: Failure | undefined): Failure | undefined {
    const affs = queue.affs;
    queue.affs = [];
    if (affs.length === 0) return bad;
    const reached = affBatch.verify();
    affBatch.reset();
    affs.forEach((d, i) => {
      if (reached[i]) return;
      stats.affirmations--;
      bad = first(bad, d, () => failBranch(d.index, "affirmation in the batch"));
      for (const e of d.evict) e.dead = true;
    });
    return bad;
  }

  /**
   * The waiting signatures verified (together when the verifier can): the first failure in
   * reading order, its entries forgotten, or `bad` unchanged. Starts a new queue.
   */
  function settleSignatures(bad: Failure | undefined): Failure | undefined {
    const { list } = queue;
    queue = newQueue();
    touched = [];
    touchedN = 0;
    stats.signatures += list.length;
    verifyDeferred(verifier, list);
    for (const d of list) {
      if (d.ok) {
        if (cache) signatures.add(d.key);
      } else {
        bad = first(bad, d, () => fail("BAD_SIGNATURE", `proof: ${d.what}: ${FAULT_TEXT.BAD_SIGNATURE}`, { what: d.what, fault: "BAD_SIGNATURE" }));
        for (const e of d.evict) e.dead = true;
      }
    }
    return bad;
  }

  /** The chain, the header and its attestation. */
  function checkHeader(o: Record<string, unknown>, _parent?: undefined): VerifiedHeader {
    const stated = toHex(r.hex(o.genesisRoot, "proof.genesisRoot", 32));
    if (stated !== genesisHex) fail("WRONG_CHAIN", `proof: it is for the chain with genesis root ${stated.slice(0, 16)}…, the anchor is ${genesisHex.slice(0, 16)}…`, { proof: stated, anchor: genesisHex });
    const h = r.object(o.header, "proof.header", ["number", "slot", "parentRoot", "batchesRoot", "evidenceRoot"]);
    const header = {
      number: r.uint(h.number, "proof.header.number"),
      slot: r.uint(h.slot, "proof.header.slot"),
      parentRoot: r.hex(h.parentRoot, "proof.header.parentRoot", 32),
      batchesRoot: r.hex(h.batchesRoot, "proof.header.batchesRoot", 32),
      evidenceRoot: r.hex(h.evidenceRoot, "proof.header.evidenceRoot", 32),
    };
    const att = readSignature(o.headerAttestation, "proof.headerAttestation");
    if (header.number < fromBlock) {
      fail("BEFORE_CHECKPOINT", `proof: Stage-2 block ${header.number} precedes the checkpoint (block ${fromBlock}); verify it from an earlier anchor`, { number: header.number, checkpoint: fromBlock });
    }
    const root = Stage2Header.hashTreeRoot(header);
    if (header.number === fromBlock && checkpointRoot !== undefined && toHex(root) !== checkpointRoot) {
      fail("CHECKPOINT_CONFLICT", `proof: Stage-2 block ${header.number} has a different root from the checkpoint's`, { number: header.number });
    }
    checkSignature(`Stage-2 block ${header.number}`, getAttesters(header.number), new Set(), att, computeSigningRoot(DOMAIN_STAGE2, anchor.genesisRoot, root));
    stats.headers++;
    return { number: header.number, slot: header.slot, batchesRoot: header.batchesRoot };
  }

  /** The batch: its inclusion in the header and its committee's signature. */
  function checkBatch(o: Record<string, unknown>, header: VerifiedHeader): VerifiedBatch {
    const b = r.object(o.batch, "proof.batch", ["committee", "round", "gasUsed", "executions", "affirmationsRoot"]);
    const batch = {
      committee: r.uint(b.committee, "proof.batch.committee"),
      round: r.uint(b.round, "proof.batch.round"),
      gasUsed: r.uint(b.gasUsed, "proof.batch.gasUsed"),
      executions: r.uint(b.executions, "proof.batch.executions"),
      affirmationsRoot: r.hex(b.affirmationsRoot, "proof.batch.affirmationsRoot", 32),
    };
    const att = readSignature(o.batchAttestation, "proof.batchAttestation");
    const applied = r.uintList(o.applied, "proof.applied", MAX_AFFIRMATIONS);
    const inclusion = readBranch(o.inclusion, "proof.inclusion");
    if (batch.committee >= anchor.genesis.committees) fail("BAD_PROOF", `proof: committee ${batch.committee} does not exist (the anchor has ${anchor.genesis.committees})`, { committee: batch.committee });
    const batchRoot = BatchHeader.hashTreeRoot(batch);
    checkBranch(header.batchesRoot, BatchInclusion.hashTreeRoot({ batchRoot, applied }), inclusion, "batch inclusion in the Stage-2 header");
    checkSignature(`batch of committee ${batch.committee}`, getCommittee(batch.committee), slashed, att, computeSigningRoot(DOMAIN_AFFIRMATION, anchor.genesisRoot, batchRoot));
    stats.batches++;
    return { committee: batch.committee, affirmationsRoot: batch.affirmationsRoot, applied: new Set(applied) };
  }

  /** The affirmation: applied by the block, and in the batch (its root and branch hashed at the end of the batch, with the others': `settleAffirmations`). */
  function checkAffirmation(o: Record<string, unknown>, batch: VerifiedBatch): VerifiedAffirmation {
    if (rootAt === ROOT_CHUNK) {
      roots = new Uint8Array(ROOT_CHUNK);
      rootAt = 0;
    }
    const a = affBatch.read(r, o, contractRoot, batch.affirmationsRoot, roots, rootAt);
    if (a.first > a.last) fail("MALFORMED_PROOF", "proof: proof.affirmation.first is after proof.affirmation.last", { first: a.first, last: a.last });
    if (!batch.applied.has(a.index)) fail("BAD_PROOF", "proof: the block did not apply this affirmation", { affirmationIndex: a.index });
    affBatch.commit();
    rootAt += 32;
    const d: DeferredAffirmation = { proof: queue.proof, order: queue.order++, index: a.index, evict: [] };
    queue.affs.push(d);
    touched[touchedN++] = d;
    stats.affirmations++;
    return { contract: a.contract, first: a.first, last: a.last, roots, rootAt: rootAt - 32, committee: batch.committee };
  }

  /**
   * `check(o, parent)` once per distinct content of a part of proof `o` at one cache level: entries
   * are found by `tag` (a signature or root the part contains) and matched in full (`same`) with a
   * private copy (`store`) of what was checked, so a part is skipped only when it is identical to
   * one fully checked before. Nothing is allocated when the part is found.
   */
  function cached<T, P>(
    level: Map<unknown, Cached<T>[]>,
    tag: unknown,
    o: Record<string, unknown>,
    same: (stored: readonly unknown[], o: Record<string, unknown>) => boolean,
    check: (o: Record<string, unknown>, parent: P) => T,
    store: (o: Record<string, unknown>) => readonly unknown[],
    parent: P,
  ): Cached<T> {
    const key = typeof tag === "string" || typeof tag === "number" ? tag : "";
    const entries = level.get(key);
    if (entries !== undefined) {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i] as Cached<T>;
        if (e.dead !== true && same(e.parts, o)) return e;
      }
    }
    return addEntry(level, key, entries, o, check, store, parent);
  }

  function addEntry<T, P>(
    level: Map<unknown, Cached<T>[]>,
    key: unknown,
    found: Cached<T>[] | undefined,
    o: Record<string, unknown>,
    check: (o: Record<string, unknown>, parent: P) => T,
    store: (o: Record<string, unknown>) => readonly unknown[],
    parent: P,
  ): Cached<T> {
    touchedN = 0;
    const value = check(o, parent);
    // Copied after the check, which refused anything that is not plain JSON of the proof's shape.
    const entry: Cached<T> = { parts: store(o), value, children: undefined, dead: false };
    let entries = found;
    if (entries === undefined) level.set(key, (entries = [entry]));
    else entries.push(entry);
    // (A list made with its first entry: an empty one grown by a push reserves 17 slots.)
    for (let i = 0; i < touchedN; i++) {
      const d = touched[i] as { evict: { dead?: boolean }[] };
      if (d.evict.length === 0) d.evict = [entry];
      else d.evict.push(entry);
    }
    return entry;
  }

  /**
   * A proof's parts above its leaf checked (or found checked), and its leaf and leaf branch read
   * into `leaves`: what is left is hashing them, which `verifyMany` does for many proofs at once.
   */
  function readProof(doc: unknown, leaves: LeafBatch, heads: VerifiedHeader[], affs: VerifiedAffirmation[]): void {
    r.schema(doc, "proof", TX_PROOF_SCHEMA);
    const o = r.object(doc, "proof", PROOF_FIELDS);
    let header: VerifiedHeader;
    let aff: VerifiedAffirmation;
    if (cache) {
      // Entries found by a field the part contains (equal parts have equal tags), then matched in full.
      const h = cached(headers, (o.header as { number?: unknown } | null)?.number, o, sameHeaderOf, checkHeader, storeHeaderOf, undefined);
      const bt = o.batch as { committee?: unknown; round?: unknown } | null;
      const batchTag = typeof bt?.committee === "number" && typeof bt.round === "number" ? bt.committee + bt.round * 4096 : "";
      const b = cached((h.children ??= new Map()) as Map<unknown, Cached<VerifiedBatch>[]>, batchTag, o, sameBatchOf, checkBatch, storeBatchOf, h.value);
      const level = (b.children ??= new Map()) as Map<unknown, Cached<VerifiedAffirmation>[]>;
      // Tagged by its sequence range (a number: no string to hash per proof; affirmations of several contracts may share one).
      const at = o.affirmation as { first?: unknown; last?: unknown } | null;
      const affTag = typeof at?.first === "number" && typeof at.last === "number" ? at.first + at.last * 2 ** 24 : "";
      aff = cached(level, affTag, o, sameAffirmationOf, checkAffirmation, storeAffirmationOf, b.value).value;
      header = h.value;
    } else {
      header = checkHeader(o);
      aff = checkAffirmation(o, checkBatch(o, header));
    }
    leaves.read(r, o, aff.roots, aff.rootAt);
    heads[leaves.n - 1] = header;
    affs[leaves.n - 1] = aff;
  }

  /**
   * Verifies proofs in order and throws the error of the first bad one (as verifying them one by
   * one would). Each proof is read and its shared parts checked (pairings and affirmations
   * deferred); after every `HASH_BATCH` proofs the waiting affirmations and the leaves and branches
   * of those proofs are hashed together and each proof's remaining checks run in order; the
   * pairings of the whole call wait to the end (one `verifyAggregateSets` call), and no proof is
   * answered before them. Reading stops at the first failure known, and the first failure in
   * reading order is thrown, the proofs before it counted.
   */
  function verifyMany(docs: readonly unknown[], question: ProofQuestion = {}): VerifiedOutcome[] {
    const out: VerifiedOutcome[] = [];
    const asked = question.txId !== undefined || question.seq !== undefined || question.contract !== undefined;
    let bad: Failure | undefined;
    /** Checks found without deferral (a proof that cannot be read, a leaf's branch) come after the proof's deferred ones. */
    const own = (proof: number, raise: () => never): void => {
      bad = first(bad, { proof, order: Infinity }, raise);
    };
    try {
      for (let start = 0; start < docs.length && bad === undefined; start += hashBatch) {
        const end = Math.min(docs.length, start + hashBatch);
        if (leafBatch === undefined || leafBatch.capacity < end - start) leafBatch = new LeafBatch(Math.min(hashBatch, docs.length));
        const leaves = leafBatch;
        leaves.reset();
        // Made at their size (filled slot by slot), not grown by pushes.
        const heads = new Array<VerifiedHeader>(end - start);
        const affs = new Array<VerifiedAffirmation>(end - start);
        for (let i = start; i < end; i++) {
          queue.proof = i;
          try {
            readProof(docs[i], leaves, heads, affs);
          } catch (error) {
            own(i, () => {
              throw error;
            });
            break;
          }
        }
        bad = settleAffirmations(bad);
        const good = bad === undefined ? leaves.n : Math.min(leaves.n, Math.max(0, bad.proof - start));
        const reached = leaves.verify(good);
        for (let i = 0; i < good; i++) {
          const p = leaves.facts[i]!;
          const header = heads[i] as VerifiedHeader;
          const aff = affs[i] as VerifiedAffirmation;
          try {
            if (!reached[i]) failBranch(p.index, "result in the affirmation");
            if (p.seq < aff.first || p.seq > aff.last) fail("BAD_PROOF", `proof: the result's sequence number ${p.seq} is outside the affirmation's range ${aff.first}..${aff.last}`, { seq: p.seq });
            if (asked) checkQuestion(question, { txId: p.txIdText, seq: p.seq, contract: aff.contract });
          } catch (error) {
            own(start + i, () => {
              throw error;
            });
            break;
          }
          out.push({ txId: p.txIdText.toLowerCase(), seq: p.seq, contract: aff.contract, outcome: p.outcome, values: p.values, stage2Block: header.number, slot: header.slot, committee: aff.committee });
        }
      }
    } finally {
      // The pairings of everything read, whatever happened: the queue is left empty for the next call.
      bad = settleSignatures(bad);
    }
    if (bad === undefined) {
      stats.proofs += out.length;
      return out;
    }
    stats.proofs += bad.proof;
    return bad.raise();
  }

  const verify = (doc: unknown, question: ProofQuestion = {}): VerifiedOutcome => verifyMany([doc], question)[0] as VerifiedOutcome;

  return { verify, verifyMany, stats };
}

/** Verifies one proof from scratch against a trust anchor (see `createTxProofChecker`). */
export function verifyTxOutcomeProof(doc: unknown, anchor: TrustAnchor, verifier: SignatureVerifier, question: ProofQuestion = {}): VerifiedOutcome {
  return createTxProofChecker(anchor, verifier, { cache: false }).verify(doc, question);
}

/** Verifies many proofs against one anchor, sharing the checks of shared headers and batches. Throws at the first bad proof. */
export function verifyTxOutcomeProofs(docs: readonly unknown[], anchor: TrustAnchor, verifier: SignatureVerifier, question: ProofQuestion = {}): VerifiedOutcome[] {
  return createTxProofChecker(anchor, verifier).verifyMany(docs, question);
}
