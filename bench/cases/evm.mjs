/**
 * EVM baseline cases: the ERC-20 `transfer` on @ethereumjs/evm (see bench/evm/erc20.mjs).
 */
import { Caches, MerkleStateManager } from "@ethereumjs/statemanager";
import { balanceOf, beginBlock, deployToken, endBlock, transfer } from "../evm/erc20.mjs";
import { BLOCK_SIZE, HOLDERS, INITIAL_BALANCE, TRANSFER_AMOUNT, computeTransferPair } from "./workload.mjs";

/** Deploy the token and start the transfer counter. */
async function setupToken(stateManager) {
  const token = await deployToken({ accounts: HOLDERS, perAccount: INITIAL_BALANCE, stateManager });
  return { token, next: 0, gas: 0n, lastRoot: undefined };
}

/** Run one block of transfers; with `withRoot`, inside a block checkpoint that ends with the state root. */
async function runBlock(ctx, withRoot) {
  const { token } = ctx;
  if (withRoot) await beginBlock(token);
  for (let n = 0; n < BLOCK_SIZE; n++) {
    const [from, to] = computeTransferPair(ctx.next++);
    ctx.gas += await transfer(token, token.holders[from], token.holders[to], TRANSFER_AMOUNT);
  }
  if (withRoot) ctx.lastRoot = await endBlock(token);
}

/** Check that the transfers conserved the supply, and report what ran. */
async function describeToken(ctx) {
  let total = 0n;
  for (const holder of ctx.token.holders) total += await balanceOf(ctx.token, holder);
  if (total !== INITIAL_BALANCE * BigInt(HOLDERS)) throw new Error(`EVM token supply changed: ${total}`);
  return {
    transfers: ctx.next,
    holders: HOLDERS,
    executionGasPerTransfer: Number(ctx.gas) / ctx.next,
    solc: ctx.token.solcVersion,
    stateManager: ctx.token.evm.stateManager.constructor.name,
    ...(ctx.lastRoot === undefined ? {} : { stateRoot: Buffer.from(ctx.lastRoot).toString("hex") }),
  };
}

/** @type {import("../harness.mjs").BenchCase} */
export const evmTransfer = {
  name: "evm.erc20-transfer",
  title: "ERC-20 transfer on @ethereumjs/evm (SimpleStateManager, no state root)",
  unit: "transfers",
  opsPerRun: BLOCK_SIZE,
  setup: () => setupToken(undefined),
  run: (ctx) => runBlock(ctx, false),
  describe: describeToken,
};

/** @type {import("../harness.mjs").BenchCase} */
export const evmTransferWithRoot = {
  name: "evm.erc20-transfer+root",
  title: `ERC-20 transfer on @ethereumjs/evm (MerkleStateManager + caches, state root every ${BLOCK_SIZE})`,
  unit: "transfers",
  opsPerRun: BLOCK_SIZE,
  setup: () => setupToken(new MerkleStateManager({ caches: new Caches() })),
  run: (ctx) => runBlock(ctx, true),
  describe: describeToken,
};
