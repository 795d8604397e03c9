/**
 * What a light client's proof check answers (`verify.ts`): the question asked, the outcome proven,
 * the checker's interface and counts, and the typed errors of a refused proof.
 */
import { XshardError } from "../../../errors.js";
import type { Stage2Outcome } from "../containers.js";

/** What the user asks about: the proof must be about this transaction (and contract). */
export interface ProofQuestion {
  /** Transaction id (hex, 32 bytes). */
  readonly txId?: string;
  /** Stage-1 sequence number. */
  readonly seq?: number;
  readonly contract?: string;
}

export interface VerifiedOutcome {
  readonly txId: string;
  readonly seq: number;
  readonly contract: string;
  readonly outcome: Stage2Outcome;
  readonly values: readonly (Uint8Array | null)[];
  readonly stage2Block: number;
  readonly slot: number;
  /** The contract committee whose batch affirmed it. */
  readonly committee: number;
}

export interface TxProofCheckerStats {
  proofs: number;
  /** Headers, batches and affirmations checked in full (not found in the cache). */
  headers: number;
  batches: number;
  affirmations: number;
  /** Aggregate signatures verified (pairings), after the cache. */
  signatures: number;
}

export interface TxProofChecker {
  /** Verifies one proof (decoded JSON); throws a typed XshardError, never returns a wrong outcome. */
  verify(doc: unknown, question?: ProofQuestion): VerifiedOutcome;
  /** Verifies proofs in order, their leaves and branches hashed together; throws the first bad proof's error. */
  verifyMany(docs: readonly unknown[], question?: ProofQuestion): VerifiedOutcome[];
  readonly stats: Readonly<TxProofCheckerStats>;
}

export type ProofErrorCode = "MALFORMED_PROOF" | "BAD_PROOF" | "BAD_SIGNATURE" | "WRONG_CHAIN" | "BEFORE_CHECKPOINT" | "CHECKPOINT_CONFLICT" | "PROOF_MISMATCH";

export function fail(code: ProofErrorCode, message: string, data: Record<string, unknown> = {}): never {
  throw new XshardError(code, message, data);
}

/** A proof answers only the question it was asked: a relabelled proof (other id, sequence number or contract) is refused. */
export function checkQuestion(q: ProofQuestion, proven: { txId: string; seq: number; contract: string }): void {
  if (q.txId !== undefined && q.txId.replace(/^0x/, "").toLowerCase() !== proven.txId.toLowerCase()) {
    fail("PROOF_MISMATCH", `proof: it proves transaction ${proven.txId.toLowerCase()}, not ${q.txId}`, { asked: q.txId, proven: proven.txId });
  }
  if (q.seq !== undefined && q.seq !== proven.seq) fail("PROOF_MISMATCH", `proof: it proves sequence number ${proven.seq}, not ${q.seq}`, { asked: q.seq, proven: proven.seq });
  if (q.contract !== undefined && q.contract !== proven.contract) fail("PROOF_MISMATCH", `proof: it proves the outcome on contract ${proven.contract}, not ${q.contract}`, { asked: q.contract, proven: proven.contract });
}

