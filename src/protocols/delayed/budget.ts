/**
 * The two-stage chain's resource rules (DESIGN §7 "Equal resources"; issue 11 §1), one function per
 * rule, all derived from the chain's parameters (`DelayedParams`):
 *
 * - **Stage-2 budget.** A contract committee is one unit of execution capacity: it executes at most
 *   `slotGas` metered gas per slot, split evenly over the slot's Stage-2 blocks —
 *   `computeStage2Budget` = ⌊slotGas / stage2PerSlot⌋ per committee per Stage-2 block (round).
 *   Every execution counts (own contracts, other committees' parts of a program, speculative
 *   executions of dependency cones, re-executions). A committee executes in chain order while the
 *   next execution fits (`isWithinStage2Budget`); the rest waits for the next round and shows as
 *   lag. An execution that alone exceeds the budget is admitted when it is the round's first: it
 *   gets a whole block to itself, so no transaction holds the chain up forever.
 * - **Gas of one execution** (`computeExecutionGas`): the metered instructions of its calls, plus
 *   a fixed cost per execution and a cost per witness byte read — the same formula (and default
 *   figures) as a receipts segment (`segmentGas + proofBytes × proofByteGas + instructions`).
 * - **Stage-1 limits** (`computeStage1Limits`): a Stage-1 block holds at most `blockTxLimit`
 *   transactions, `stage1Bytes` bytes of encoded transactions and `slotGas × committees` of
 *   declared gas (the sum of gas limits: the chain's whole execution capacity per slot), and has an
 *   EIP-1559 base fee of its own (`src/chain/fees.ts`: target half the gas limit, ±12.5 % per block).
 */
import { computeNextBaseFee } from "../../chain/fees.js";
import type { Stage1Limits } from "../../chain/beacon.js";
import type { DelayedParams } from "./state.js";

/** Gas every execution pays on top of its calls' instructions (receipts' default `segmentGas`). */
export const EXECUTION_GAS = 2_000;
/** Gas per byte of witness an execution reads (receipts' default `proofByteGas`). */
export const WITNESS_BYTE_GAS = 4;
/** Base fee of Stage 1 at genesis (as receipts' shards). */
export const INITIAL_STAGE1_BASE_FEE = 1n;

/** Gas one committee may spend in one Stage-2 round (block): ⌊slotGas / stage2PerSlot⌋. */
export function computeStage2Budget(p: Pick<DelayedParams, "slotGas" | "stage2PerSlot">): number {
  return Math.floor(p.slotGas / p.stage2PerSlot);
}

/** Gas of one execution: metered instructions + the fixed execution cost + its witness bytes. */
export function computeExecutionGas(instructions: bigint, witnessBytes: number): number {
  return Number(instructions) + EXECUTION_GAS + witnessBytes * WITNESS_BYTE_GAS;
}

/**
 * Whether an execution of `gas` may be added to a round that has used `used`: it fits the budget,
 * or it is the round's first execution (then it has the block alone, whatever its size).
 */
export function isWithinStage2Budget(used: number, gas: number, budget: number): boolean {
  return used === 0 || used + gas <= budget;
}

/**
 * The rule a Stage-2 block checks of every batch it includes: the gas its committee reports for the
 * batch's round is within the budget, or the round ran a single execution (`isWithinStage2Budget`).
 */
export function isBatchWithinBudget(gasUsed: number, executions: number, budget: number): boolean {
  return gasUsed <= budget || executions <= 1;
}

/** Declared gas a Stage-1 block may hold: the chain's execution capacity per slot (slotGas × committees). */
export function computeStage1GasLimit(p: Pick<DelayedParams, "slotGas" | "committees">): bigint {
  return BigInt(p.slotGas) * BigInt(p.committees);
}

/** A Stage-1 block's limits at base fee `baseFee`. */
export function computeStage1Limits(p: DelayedParams, baseFee: bigint): Stage1Limits {
  return { txs: p.blockTxLimit, bytes: p.stage1Bytes, gas: computeStage1GasLimit(p), baseFee };
}

/** Stage 1's base fee after a block that declared `gas` (EIP-1559 on declared gas). */
export function computeNextStage1BaseFee(p: DelayedParams, baseFee: bigint, gas: bigint): bigint {
  return computeNextBaseFee(baseFee, gas, computeStage1GasLimit(p));
}
