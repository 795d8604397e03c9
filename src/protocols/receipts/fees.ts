/**
 * The fee market and gas rules of the receipts design (DESIGN §3): an EIP-1559 base fee per shard,
 * segment gas and fees, the prepaid budget, block gas. Pure math, one function per rule.
 */

/**
 * The next block's base fee: `base + base·(used − target)/target/8` in integer math, target = half
 * the gas limit (±12.5 % per block at most). As in EIP-1559 an increase is at least 1 (otherwise a
 * base fee below 8 could never rise), and the base fee never falls below 1.
 */
export function computeNextBaseFee(base: bigint, gasUsed: bigint, gasLimit: bigint): bigint {
  const target = gasLimit / 2n;
  if (gasUsed > target) {
    const delta = (base * (gasUsed - target)) / target / 8n;
    return base + (delta > 1n ? delta : 1n);
  }
  const next = base - (base * (target - gasUsed)) / target / 8n;
  return next > 1n ? next : 1n;
}

/** A segment (new transaction, claim or receipt) may enter a block only if its fee cap covers the base fee. */
export function isFeeCapSufficient(maxFeePerGas: bigint, baseFee: bigint): boolean {
  return maxFeePerGas >= baseFee;
}

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
