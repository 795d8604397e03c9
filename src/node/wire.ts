/**
 * What nodes send each other (gossip payloads and req/resp bodies), as SSZ containers. A block
 * travels with everything `processStage1Block` / `processStage2Block` need except what every node
 * derives from its own chain state (committee members, the Stage-2 slot committee): those are filled
 * in by `materializeStage2Block` from the state the block is imported on, never taken from the wire.
 * Every decode failure is `WIRE_MALFORMED` (a gossip validator rejects with that rule).
 */
import "../crypto/hash.js";
import { BooleanType, ByteListType, ByteVectorType, ContainerType, ListBasicType, ListCompositeType, UintNumberType, type ValueOf } from "@chainsafe/ssz";
import type { Attestation } from "../chain/index.js";
import { getWeight, type Validator } from "../chain/index.js";
import { XshardError } from "../errors.js";
import { decodeSignedTx, encodeSignedTx } from "../program/index.js";
import { commitList } from "../state/index.js";
import { Affirmation, Assumption, BatchHeader, BatchInclusion, decodeContractId, encodeContractId, ResultLeaf, Stage1Header, Stage2Header } from "../protocols/delayed/containers.js";
import { ProvenEvidence } from "../protocols/delayed/faults.js";
import type { SignedStage1Block } from "../protocols/delayed/stage1.js";
import { getStage2Committee, type AffirmationClaim, type Batch, type SignedStage2Block } from "../protocols/delayed/stage2.js";
import type { DelayedState } from "../protocols/delayed/state.js";

const Bytes32 = new ByteVectorType(32);
const Signature = new ByteVectorType(96);
const Uint64 = new UintNumberType(8);
const MAX_LIST = 4096;
const ContractIdBytes = new ByteListType(64);
const Signers = new ListBasicType(Uint64, 1 << 16);

export const Stage1BlockWire = new ContainerType({
  header: Stage1Header,
  txs: new ListCompositeType(new ByteListType(64 * 1024), 1 << 14),
  signers: Signers,
  signature: Signature,
});

const CreatedRefWire = new ContainerType({ id: ContractIdBytes, codeHash: new ByteListType(128), root: Bytes32 });

const ClaimWire = new ContainerType({
  contract: ContractIdBytes,
  from: Uint64,
  to: Uint64,
  preRoot: Bytes32,
  postRoots: new ListCompositeType(Bytes32, MAX_LIST),
  assumptions: new ListCompositeType(Assumption, MAX_LIST),
  leafValues: new ListCompositeType(ResultLeaf, MAX_LIST),
  ended: new ListBasicType(new BooleanType(), MAX_LIST),
  created: new ListCompositeType(new ListCompositeType(CreatedRefWire, 64), MAX_LIST),
});

export const BatchWire = new ContainerType({
  header: BatchHeader,
  affirmations: new ListCompositeType(Affirmation, MAX_LIST),
  leaves: new ListCompositeType(new ListCompositeType(Bytes32, MAX_LIST), MAX_LIST),
  candidates: new ListCompositeType(ClaimWire, MAX_LIST),
  signers: Signers,
  signature: Signature,
});

export const Stage2BlockWire = new ContainerType({
  header: Stage2Header,
  inclusions: new ListCompositeType(new ContainerType({ batch: BatchWire, applied: new ListBasicType(Uint64, MAX_LIST) }), MAX_LIST),
  evidence: new ListCompositeType(ProvenEvidence, MAX_LIST),
  signers: Signers,
  signature: Signature,
  /** The Stage-1 chain the proposer built on (height and head root): not signed, it orders imports. */
  stage1Height: Uint64,
  stage1Root: Bytes32,
});

/** One validator's signature: of a Stage-1 header (`kind` 1), a Stage-2 header (2) or an affirmation batch (3). */
/** `skip`: a validator attested no block of `slot` on chain `committee` (1 Stage-1, 2 Stage-2) and never will (`safety.ts`). */
export const VOTE_KINDS = { stage1: 1, stage2: 2, batch: 3, skip: 4 } as const;
export const Vote = new ContainerType({ kind: new UintNumberType(1), slot: Uint64, committee: Uint64, root: Bytes32, validator: Uint64, signature: Signature });
export type VoteValue = ValueOf<typeof Vote>;

/** A block message: a proposal (`0`, signed by nobody yet, for the slot committee to check and sign) or a finalized block (`1`). */
export const MSG_PROPOSAL = 0;
export const MSG_BLOCK = 1;

export const StatusWire = new ContainerType({ stage1Height: Uint64, stage2Height: Uint64, stage1Root: Bytes32, stage2Root: Bytes32, headSlot: Uint64 });
export type StatusValue = ValueOf<typeof StatusWire>;
export const RangeRequest = new ContainerType({ from: Uint64, count: Uint64 });
export const BlockList = new ListCompositeType(new ByteListType(4 * 1024 * 1024), 256);

/** The most blocks one range request may ask for. */
export const MAX_RANGE = 64;

export function wireError(what: string, e: unknown): XshardError {
  return new XshardError("WIRE_MALFORMED", `${what}: ${e instanceof Error ? e.message : String(e)}`, { what });
}

/** Decodes with `fn`; any failure is `WIRE_MALFORMED`. */
export function decodeWire<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof XshardError && e.code === "WIRE_MALFORMED") throw e;
    throw wireError(what, e);
  }
}

// ---------------------------------------------------------------- Stage 1

export function encodeStage1Block(b: SignedStage1Block): Uint8Array {
  return Stage1BlockWire.serialize({
    header: b.header,
    txs: b.txs.map((t) => encodeSignedTx(t)),
    signers: [...b.attestation.signers],
    signature: b.attestation.signature,
  });
}

export function decodeStage1Block(bytes: Uint8Array): SignedStage1Block {
  return decodeWire("Stage-1 block", () => {
    const v = Stage1BlockWire.deserialize(bytes);
    return { header: v.header, txs: v.txs.map((t) => decodeSignedTx(t)), attestation: { signers: v.signers, signature: v.signature } };
  });
}

// ---------------------------------------------------------------- Stage 2

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

function encodeBatch(b: Batch): ValueOf<typeof BatchWire> {
  return {
    header: b.header,
    affirmations: b.affirmations,
    leaves: b.leaves,
    candidates: b.candidates.map((c) => ({
      contract: encodeContractId(c.contract),
      from: c.from,
      to: c.to,
      preRoot: c.preRoot,
      postRoots: [...c.postRoots],
      assumptions: c.assumptions.map((a) => ({ contract: encodeContractId(a.contract), position: a.position, root: a.root })),
      leafValues: [...c.leafValues],
      ended: [...c.ended],
      created: c.created.map((list) => list.map((r) => ({ id: encodeContractId(r.id), codeHash: enc.encode(r.codeHash), root: r.root }))),
    })),
    signers: [...b.attestation.signers],
    signature: b.attestation.signature,
  };
}

/** A Stage-2 block as it travels: what `materializeStage2Block` turns into a `SignedStage2Block` against a state. */
export type Stage2BlockValue = ValueOf<typeof Stage2BlockWire>;

export function encodeStage2Block(b: SignedStage2Block, stage1: { height: number; root: Uint8Array }): Uint8Array {
  return Stage2BlockWire.serialize({
    stage1Height: stage1.height,
    stage1Root: stage1.root,
    header: b.header,
    inclusions: b.inclusions.map((i) => ({ batch: encodeBatch(i.batch), applied: [...i.applied] })),
    evidence: [...b.evidence],
    signers: [...b.attestation.signers],
    signature: b.attestation.signature,
  });
}

export function decodeStage2Block(bytes: Uint8Array): Stage2BlockValue {
  return decodeWire("Stage-2 block", () => {
    const v = Stage2BlockWire.deserialize(bytes);
    // Contract ids and code hashes must be text.
    for (const inc of v.inclusions) {
      for (const c of inc.batch.candidates) {
        dec.decode(c.contract);
        for (const a of c.assumptions) dec.decode(a.contract);
        for (const list of c.created) for (const r of list) (dec.decode(r.id), dec.decode(r.codeHash));
      }
    }
    return v;
  });
}

function signersWeight(s: DelayedState, signers: readonly number[]): number {
  return getWeight(signers.map((i) => s.validators[i]).filter((v): v is Validator => v !== undefined));
}

function toAttestation(s: DelayedState, message: Uint8Array, signers: readonly number[], signature: Uint8Array): Attestation {
  return { message, signers, signature, weight: signersWeight(s, signers) };
}

/**
 * The block the transitions check, from its wire form and the state it is imported on: roots are
 * recomputed from the contents (the transition compares them with the header's), committee members
 * and the attesting slot committee come from the state.
 */
export function materializeStage2Block(s: DelayedState, v: Stage2BlockValue): SignedStage2Block {
  const inclusions = v.inclusions.map((inc) => {
    const batch = materializeBatch(s, inc.batch);
    return { batch, applied: inc.applied, root: BatchInclusion.hashTreeRoot({ batchRoot: batch.root, applied: inc.applied }) };
  });
  return {
    header: v.header,
    inclusions,
    evidence: v.evidence,
    root: Stage2Header.hashTreeRoot(v.header),
    attestation: toAttestation(s, new Uint8Array(32), v.signers, v.signature),
    attesters: getStage2Committee(s, v.header.number),
  };
}

/** A batch as it travels (in a Stage-2 block, or alone on the `batch` topic), its roots recomputed and its committee from the state. */
export function materializeBatch(s: DelayedState, b: ValueOf<typeof BatchWire>): Batch {
  return {
    header: b.header,
    root: BatchHeader.hashTreeRoot(b.header),
    affirmations: b.affirmations,
    affirmationRoots: b.affirmations.map((a) => Affirmation.hashTreeRoot(a)),
    leaves: b.leaves,
    candidates: b.candidates.map(
      (c): AffirmationClaim => ({
        contract: decodeContractId(c.contract),
        from: c.from,
        to: c.to,
        preRoot: c.preRoot,
        postRoots: c.postRoots,
        assumptions: c.assumptions.map((a) => ({ contract: decodeContractId(a.contract), position: a.position, root: a.root })),
        leafValues: c.leafValues,
        ended: c.ended,
        created: c.created.map((list) => list.map((r) => ({ id: decodeContractId(r.id), codeHash: dec.decode(r.codeHash), root: r.root }))),
      }),
    ),
    attestation: toAttestation(s, new Uint8Array(32), b.signers, b.signature),
    members: [...(s.committees[b.header.committee] ?? [])],
  };
}

/** One unsigned batch for the `batch` topic (`batchGossip.ts`). */
export function encodeBatchMessage(b: Batch): Uint8Array {
  return BatchWire.serialize(encodeBatch(b));
}

export function decodeBatchMessage(bytes: Uint8Array): ValueOf<typeof BatchWire> {
  return decodeWire("batch", () => {
    const v = BatchWire.deserialize(bytes);
    for (const c of v.candidates) {
      dec.decode(c.contract);
      for (const a of c.assumptions) dec.decode(a.contract);
      for (const list of c.created) for (const r of list) (dec.decode(r.id), dec.decode(r.codeHash));
    }
    return v;
  });
}

/** A block message: tag byte (proposal / block) then the block's bytes. */
export function tagMessage(tag: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out[0] = tag;
  out.set(bytes, 1);
  return out;
}

export function untagMessage(data: Uint8Array): { tag: number; bytes: Uint8Array } {
  const tag = data[0];
  if (tag !== MSG_PROPOSAL && tag !== MSG_BLOCK) throw new XshardError("WIRE_MALFORMED", "block message: unknown tag", { tag });
  return { tag, bytes: data.subarray(1) };
}

/** The root of a list of block roots (for comparing chains in tests and logs). */
export function computeChainDigest(roots: readonly Uint8Array[]): Uint8Array {
  return commitList(roots.map((r) => r)).root;
}
