/**
 * The EIP-1559 base-fee rule every fee market of xshard uses (receipts' shard blocks, the two-stage
 * chain's Stage 1): a per-block base fee that targets half the block's gas limit and moves by at
 * most 12.5 % per block. Pure integer math, one function per rule.
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

/** A transaction (or a segment of one) may enter a block only if its fee cap covers the block's base fee. */
export function isFeeCapSufficient(maxFeePerGas: bigint, baseFee: bigint): boolean {
  return maxFeePerGas >= baseFee;
}
