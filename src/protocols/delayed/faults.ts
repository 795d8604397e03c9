/**
 * The one-step fraud proof that settles a disputed result leaf (DESIGN §2 "Faults"). Who signs
 * wrong roots and what wrong state they produce is the driver's business (`CommitteeBehaviour`).
 *
 * A result leaf commits, per transaction, the contract's post-root. So a disputed range is settled
 * by one transaction: re-execute it against witnesses of every footprint contract's pre-state
 * (against roots the chain agrees on) and recompute the leaf. No trust in anyone's full state.
 */
import { fromHex, sha256 } from "../../crypto/hash.js";
import type { Runtime } from "../../runtime/index.js";
import { decodeWitness, encodeWitness, verifyWitness, type MerkleKV } from "../../state/index.js";
import { executeProgram, type ContractHandle } from "../../exec/executeTx.js";
import type { Program } from "../../program/index.js";
import type { ContractId, StateView, WriteSet } from "../../types.js";
import { BooleanType, ByteListType, ByteVectorType, ContainerType, ListBasicType, ListCompositeType, UintNumberType, type ValueOf } from "@chainsafe/ssz";
import { Affirmation, BatchHeader, Evidence, MAX_AFFIRMATIONS, OUTCOME_CODES, ResultLeaf, computeValuesRoot, type EvidenceValue } from "./containers.js";

/** A state that can be read, updated and rooted: a full MerkleKV or a verified witness view. */
interface RootedState extends StateView {
  applyWrites(writes: WriteSet): RootedState;
  root(): Uint8Array;
}

/** The transaction a leaf is about (on the Stage-1 chain, so a proof only names it). */
export interface LeafTx {
  readonly seq: number;
  readonly txId: Uint8Array;
  readonly sender: Uint8Array;
  readonly gasLimit: bigint;
  readonly program: Program;
}

/** One footprint contract's pre-state as a fraud proof carries it. */
export interface PreStateWitness {
  readonly contract: ContractId;
  readonly codeHash: string;
  /** The root the chain agrees on for this contract's state just before the transaction. */
  readonly root: Uint8Array;
  /** Not committed by the state root: carried with the witness (docs: simplifications). */
  readonly ended: boolean;
  readonly witness: Uint8Array;
}

export interface OneStepProof {
  readonly contract: ContractId;
  readonly witnesses: readonly PreStateWitness[];
}

/** Full pre-states a prover (a full node) holds for the footprint. */
export interface FullPreState {
  readonly contract: ContractId;
  readonly codeHash: string;
  readonly root: Uint8Array;
  readonly ended: boolean;
  readonly kv: MerkleKV;
}

/** The result leaf (root) of `tx` on `contract`, executed over the given states. */
export function computeLeafRoot(runtime: Runtime, tx: LeafTx, contract: ContractId, states: ReadonlyMap<ContractId, { state: RootedState; codeHash: string; ended: boolean }>): {
  leaf: Uint8Array;
  keys: Map<ContractId, Set<string>>;
  /** Metered instructions of the re-execution. */
  gas: bigint;
} {
  const handles = new Map<ContractId, ContractHandle>([...states].map(([id, s]) => [id, { codeHash: s.codeHash, state: s.state, ended: s.ended }]));
  const ex = executeProgram(tx.program, { runtime, sender: tx.sender, txId: tx.txId, gasLimit: tx.gasLimit, contract: (id) => handles.get(id) });
  const status = ex.run.status === "committed" ? "committed" : "aborted";
  const pre = (states.get(contract) as { state: RootedState }).state;
  const writes = status === "committed" ? ex.effects.writes.get(contract) : undefined;
  const postRoot = writes ? pre.applyWrites(writes).root() : pre.root();
  const leaf = ResultLeaf.hashTreeRoot({ seq: tx.seq, txId: tx.txId, outcome: OUTCOME_CODES[status], valuesRoot: computeValuesRoot(ex.run.values), postRoot });
  const keys = new Map<ContractId, Set<string>>();
  for (const [id, reads] of ex.effects.reads) keys.set(id, new Set([...reads, ...(ex.effects.writes.get(id)?.keys() ?? [])]));
  return { leaf, keys, gas: ex.gas };
}

/**
 * A full node's one-step proof for `tx`'s leaf on `contract`: re-executes over the full
 * pre-states, then packs witnesses of exactly the keys read or written. Returns the recomputed
 * leaf with it.
 */
export function createOneStepProof(runtime: Runtime, tx: LeafTx, contract: ContractId, pre: readonly FullPreState[]): { proof: OneStepProof; leaf: Uint8Array } {
  const { leaf, keys } = computeLeafRoot(runtime, tx, contract, new Map(pre.map((p) => [p.contract, { state: p.kv, codeHash: p.codeHash, ended: p.ended }])));
  const witnesses = pre.map((p) => {
    const ks = [...(keys.get(p.contract) ?? [])].sort().map(fromHex);
    return { contract: p.contract, codeHash: p.codeHash, root: p.root, ended: p.ended, witness: encodeWitness(p.kv.prove(ks)) };
  });
  return { proof: { contract, witnesses }, leaf };
}

/**
 * The verifier's side: checks every witness against its root (BAD_PROOF / MALFORMED_WITNESS on a
 * forgery), re-executes the transaction on the witnessed parts only (MISSING_WITNESS if the proof
 * left out a key the execution touches) and returns the recomputed leaf root.
 */
export function verifyOneStepProof(runtime: Runtime, tx: LeafTx, proof: OneStepProof): Uint8Array {
  const states = new Map(proof.witnesses.map((w) => [w.contract, { state: verifyWitness(w.root, decodeWitness(w.witness)) as RootedState, codeHash: w.codeHash, ended: w.ended }]));
  return computeLeafRoot(runtime, tx, proof.contract, states).leaf;
}

/** Bytes of a proof: the witnesses plus, per contract, its root and id. */
export function getProofBytes(proof: OneStepProof): number {
  return proof.witnesses.reduce((n, w) => n + w.witness.length + 32 + w.contract.length, 0);
}

/** sha256 over the proof's witnesses, the root an Evidence record commits. */
export function computeProofRoot(proof: OneStepProof): Uint8Array {
  return sha256(...proof.witnesses.flatMap((w) => [w.contract, w.root, w.witness]));
}

// ------------------------------------------------------------------ what evidence carries

const Bytes32 = new ByteVectorType(32);
const Uint64 = new UintNumberType(8);

/** One footprint contract's witnessed pre-state, as evidence carries it (a `PreStateWitness`). */
export const WitnessProof = new ContainerType({ contract: new ByteListType(64), codeHash: new ByteListType(128), root: Bytes32, ended: new BooleanType(), witness: new ByteListType(1 << 26) });

/**
 * What travels beside an `Evidence` record so that any node can check it against what it already
 * trusts (not committed by the evidence root; its `proofRoot` commits the witnesses): the disputed
 * batch's header and aggregate signature, the disputed affirmation with the batch's affirmation
 * roots (they commit it), its leaf roots (its results root commits them), the disputed leaf and the
 * one before it (whose post-root is the disputed transaction's pre-root), and the one-step proof's
 * witnesses. `processEvidence` checks every link.
 */
export const EvidenceProof = new ContainerType({
  batchHeader: BatchHeader,
  batchSigners: new ListBasicType(Uint64, 1 << 20),
  batchSignature: new ByteListType(128),
  affirmationIndex: Uint64,
  affirmation: Affirmation,
  affirmationRoots: new ListCompositeType(Bytes32, MAX_AFFIRMATIONS),
  leaves: new ListCompositeType(Bytes32, MAX_AFFIRMATIONS),
  claimed: ResultLeaf,
  previous: new ListCompositeType(ResultLeaf, 1),
  witnesses: new ListCompositeType(WitnessProof, 1024),
});
export type EvidenceProofValue = ValueOf<typeof EvidenceProof>;

/** An evidence record with its proof: what a Stage-2 block carries. `Evidence.hashTreeRoot` ignores `proof`. */
export const ProvenEvidence = new ContainerType({ ...Evidence.fields, proof: EvidenceProof });
export type ProvenEvidenceValue = EvidenceValue & { readonly proof: EvidenceProofValue };

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A one-step proof as evidence carries it. */
export function encodeWitnesses(proof: OneStepProof): EvidenceProofValue["witnesses"] {
  return proof.witnesses.map((w) => ({ contract: enc.encode(w.contract), codeHash: enc.encode(w.codeHash), root: w.root, ended: w.ended, witness: w.witness }));
}

/** The one-step proof evidence carries, for `verifyOneStepProof`. */
export function decodeWitnesses(contract: ContractId, witnesses: EvidenceProofValue["witnesses"]): OneStepProof {
  return { contract, witnesses: witnesses.map((w) => ({ contract: dec.decode(w.contract), codeHash: dec.decode(w.codeHash), root: w.root, ended: w.ended, witness: w.witness })) };
}
