/**
 * The token workload shared by the xshard and EVM cases, so that both sides move the same tokens
 * between the same number of holders in the same order.
 */

/** Transfers per block; the state root is recomputed once per block where a case has a root. */
export const BLOCK_SIZE = 1000;
/** Number of token holders transfers go between. */
export const HOLDERS = 64;
/** Tokens each holder starts with; each transfer moves one, so no holder ever runs dry. */
export const INITIAL_BALANCE = 1_000_000_000n;
/** Tokens moved by one transfer. */
export const TRANSFER_AMOUNT = 1n;

/**
 * The holders (indices) of transfer number `i`: the sender walks the holders round-robin, the
 * receiver is a different holder whose distance from the sender changes every round.
 * @returns {[number, number]}
 */
export function computeTransferPair(i) {
  const from = i % HOLDERS;
  const step = 1 + (Math.floor(i / HOLDERS) % (HOLDERS - 1));
  return [from, (from + step) % HOLDERS];
}
