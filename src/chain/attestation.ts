/**
 * Attestations: a committee's members sign one message, the signatures are aggregated, and the
 * aggregate is final when it is valid and carries ≥ 2/3 of the committee's weight — the single
 * finality rule of every block and every affirmation in xshard.
 */
import type { SignatureVerifier } from "../crypto/bls.js";
import { getWeight, isSupermajority, type Validator } from "./validators.js";

export interface Attestation {
  readonly message: Uint8Array;
  readonly signers: readonly number[];
  readonly signature: Uint8Array;
  readonly weight: number;
}

/**
 * Every listed member signs `message`; the signatures are aggregated. (Computed as one signature
 * under the members' summed keys: bit-identical to signing one by one and aggregating — see
 * `SignatureVerifier.signAggregate` — and verified against the individual public keys.)
 */
export function collectAttestation(verifier: SignatureVerifier, signers: readonly Validator[], message: Uint8Array): Attestation {
  return {
    message,
    signers: signers.map((v) => v.index),
    signature: verifier.signAggregate(signers.map((v) => v.key), message),
    weight: getWeight(signers),
  };
}

/** Why an attestation is not final, or `undefined` when it is. */
export type AttestationFault = "UNKNOWN_SIGNER" | "DUPLICATE_SIGNER" | "NO_SUPERMAJORITY" | "BAD_SIGNATURE";

/** The signers of an attestation, each a member once and ≥ 2/3 of the committee's weight together, or the fault. */
function getAttestationSigners(committee: readonly Validator[], a: Pick<Attestation, "signers">): Validator[] | AttestationFault {
  const byIndex = new Map(committee.map((v) => [v.index, v]));
  const seen = new Set<number>();
  const signers: Validator[] = [];
  for (const i of a.signers) {
    const v = byIndex.get(i);
    if (v === undefined) return "UNKNOWN_SIGNER";
    if (seen.has(i)) return "DUPLICATE_SIGNER";
    seen.add(i);
    signers.push(v);
  }
  if (!isSupermajority(getWeight(signers), getWeight(committee))) return "NO_SUPERMAJORITY";
  return signers;
}

/**
 * A verifier that can start a fast-aggregate-verify and read its verdict later (the simulator's,
 * with a worker pool: the check runs on another thread meanwhile). The verdict read is the one
 * `verifyAggregate` gives for the same arguments.
 */
export interface StartingVerifier extends SignatureVerifier {
  startVerifyAggregate(pubkeys: readonly Uint8Array[], msg: Uint8Array, aggSig: Uint8Array): () => boolean;
}

/**
 * `checkAttestation` in two steps, when the verifier can start a check on another thread
 * (`StartingVerifier.startVerifyAggregate`): membership and weight are checked now (a fault is
 * returned at once), the signature is started now, and the returned function gives its fault
 * (BAD_SIGNATURE) or undefined. Otherwise `checkAttestation` itself, whose fault (any, BAD_SIGNATURE
 * too) is returned at once. Either way the same fault as `checkAttestation`.
 */
export function startAttestationCheck(
  verifier: SignatureVerifier,
  committee: readonly Validator[],
  a: Pick<Attestation, "signers" | "signature">,
  message: Uint8Array,
  verifySignatures = true,
): AttestationFault | (() => AttestationFault | undefined) {
  const start = (verifier as Partial<StartingVerifier>).startVerifyAggregate;
  if (start === undefined || !verifySignatures) return checkAttestation(verifier, committee, a, message, verifySignatures) ?? (() => undefined);
  const signers = getAttestationSigners(committee, a);
  if (typeof signers === "string") return signers;
  const verdict = start.call(verifier, signers.map((v) => v.key.pubkey), message, a.signature);
  return () => (verdict() ? undefined : "BAD_SIGNATURE");
}

/**
 * `rest()` with an attestation check started before it (`check`: what `startAttestationCheck` gave;
 * undefined: none). The check's fault is thrown through `onFault` as if the attestation had been
 * checked before `rest` ran: a fault found at once before `rest` runs; one read later (the signature)
 * once `rest` returns, and before `rest`'s own error when `rest` throws. Otherwise `rest`'s value.
 */
export function withAttestationCheck<T>(check: ReturnType<typeof startAttestationCheck> | undefined, onFault: (fault: AttestationFault) => never, rest: () => T): T {
  if (typeof check === "string") onFault(check);
  let value: T;
  try {
    value = rest();
  } catch (e) {
    const fault = check?.();
    if (fault) onFault(fault);
    throw e;
  }
  const fault = check?.();
  if (fault) onFault(fault);
  return value;
}

/**
 * Checks an attestation against a committee: every signer a member (once), ≥ 2/3 of the
 * committee's weight, and a valid aggregate signature over `message` (skipped when `verifySignatures`
 * is false, as a node may skip what it already checked).
 */
export function checkAttestation(
  verifier: SignatureVerifier,
  committee: readonly Validator[],
  a: Pick<Attestation, "signers" | "signature">,
  message: Uint8Array,
  verifySignatures = true,
): AttestationFault | undefined {
  const signers = getAttestationSigners(committee, a);
  if (typeof signers === "string") return signers;
  if (verifySignatures && !verifier.verifyAggregate(signers.map((v) => v.key.pubkey), message, a.signature)) return "BAD_SIGNATURE";
  return undefined;
}

/** Valid aggregate over its own message and ≥ 2/3 of the committee's weight. */
export function isAttestationFinal(verifier: SignatureVerifier, committee: readonly Validator[], a: Attestation): boolean {
  return checkAttestation(verifier, committee, a, a.message) === undefined;
}
