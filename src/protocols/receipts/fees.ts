/**
 * The fee market and gas rules of the receipts design (DESIGN §3): an EIP-1559 base fee per shard,
 * segment gas and fees, the prepaid budget, block gas. Pure math, one function per rule. The
 * base-fee rule itself is shared with the two-stage chain's Stage 1 (`src/chain/fees.ts`).
 */

export { computeNextBaseFee, isFeeCapSufficient } from "../../chain/fees.js";

/** Gas a segment uses: the fixed segment cost, its proof bytes, its calls' instructions; never more than the gas left. */
export function computeSegmentGas(instructions: bigint, proofBytes: number, gasLeft: bigint, segmentGas: bigint, proofByteGas: bigint): bigint {
  const gas = segmentGas + BigInt(proofBytes) * proofByteGas + instructions;
  return gas < gasLeft ? gas : gasLeft;
}

/** Instructions a segment's calls may use: the gas left after the segment's fixed costs. */
export function computeCallBudget(gasLeft: bigint, proofBytes: number, segmentGas: bigint, proofByteGas: bigint): bigint {
  const budget = gasLeft - segmentGas - BigInt(proofBytes) * proofByteGas;
  return budget > 0n ? budget : 0n;
}

/** A segment's fee: gas used × the shard's base fee, never above the sender's cap per gas. */
export function computeSegmentFee(gas: bigint, baseFee: bigint, maxFeePerGas: bigint): bigint {
  return gas * (baseFee < maxFeePerGas ? baseFee : maxFeePerGas);
}

/** The fee bought at the first segment and carried by the receipts: the whole budget at the cap. */
export function computePrepaidFee(gasLimit: bigint, maxFeePerGas: bigint): bigint {
  return gasLimit * maxFeePerGas;
}

/** A block takes a segment only while its gas used stays within the gas limit. */
export function isWithinBlockGas(blockGasUsed: bigint, segmentGas: bigint, gasLimit: bigint): boolean {
  return blockGasUsed + segmentGas <= gasLimit;
}

/**
 * A transaction may enter a shard only if its whole gas budget fits one block: every segment is
 * bounded by the gas left, so such a transaction can always be included in an empty block (the
 * Ethereum rule `tx.gasLimit <= block.gasLimit`). Otherwise it is refused at submission.
 */
export function isGasLimitWithinBlock(gasLimit: bigint, blockGas: bigint): boolean {
  return gasLimit <= blockGas;
}
