/**
 * The chain configuration every protocol shares: what a node needs to agree with its peers (and a
 * light client needs to derive committees), as opposed to a driver's settings (network model,
 * drain slots, traces). Passed in, never read from the environment.
 */
export interface ChainConfig {
  /** The chain's seed (recorded in chain state): keys, stakes, proposers and committees derive from it. */
  readonly seed: string;
  readonly slotSeconds: number;
  readonly validators: number;
  readonly committeeSize: number;
  /** Shards (receipts, sync, lock2pc) or contract committees (delayed). */
  readonly shards: number;
  /** Stage-2 blocks per slot (delayed). */
  readonly stage2PerSlot: number;
  /** Most transactions (or segments / claims) in one block. */
  readonly blockTxLimit: number;
  /** Protocol-specific options (e.g. consume mode), validated by the protocol. */
  readonly options: Readonly<Record<string, number | string>>;
}
