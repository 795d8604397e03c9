/**
 * The EVM baseline: a Solidity ERC-20 compiled at bench time with solc-js 0.8.37 (the compiler is
 * bundled, no network), deployed on @ethereumjs/evm 10.1 and driven with `evm.runCall`.
 *
 * What one transfer costs here: a top-level message call (caller nonce bump, journal checkpoint and
 * commit, EIP-2929 warm/cold accounting, the interpreter running `transfer(address,uint256)` with
 * two SLOADs, two SSTOREs and a LOG3) followed by the per-transaction cleanup that
 * @ethereumjs/vm's runTx does (journal, original-storage cache). Not included: transaction decoding,
 * signature recovery, intrinsic gas and fee accounting, receipts; the state root only when a
 * Merkle state manager is passed in and the caller brackets blocks with `beginBlock`/`endBlock`.
 */
import { readFileSync } from "node:fs";
import { createEVM } from "@ethereumjs/evm";
import { Account, Address, bytesToBigInt, hexToBytes } from "@ethereumjs/util";
import solc from "solc";

/** The EVM fork the token is compiled for; createEVM's default (mainnet Common) runs it. */
export const EVM_FORK = "prague";
/** Gas limit of one transfer call: generous; an ERC-20 transfer uses ~30–55k. */
const TRANSFER_GAS_LIMIT = 100_000n;
const DEPLOY_GAS_LIMIT = 5_000_000n;
const TOKEN_SOURCE = new URL("./Token.sol", import.meta.url);

/**
 * Compile bench/evm/Token.sol with the bundled solc (optimizer on, 200 runs, Prague target).
 * @returns {{bytecode: Uint8Array, selectors: Record<string, Uint8Array>, solcVersion: string}}
 */
export function compileToken() {
  const standardInput = {
    language: "Solidity",
    sources: { "Token.sol": { content: readFileSync(TOKEN_SOURCE, "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: EVM_FORK,
      outputSelection: { "Token.sol": { Token: ["evm.bytecode.object", "evm.methodIdentifiers"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(standardInput)));
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  const token = output.contracts["Token.sol"].Token;
  const selectors = {};
  for (const [signature, hex] of Object.entries(token.evm.methodIdentifiers)) {
    selectors[signature] = hexToBytes(`0x${hex}`);
  }
  return { bytecode: hexToBytes(`0x${token.evm.bytecode.object}`), selectors, solcVersion: solc.version() };
}

/** ABI-encode a 32-byte big-endian word. */
function encodeUint256(value) {
  const word = new Uint8Array(32);
  let v = BigInt(value);
  for (let i = 31; i >= 0 && v > 0n; i--) {
    word[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return word;
}

/** ABI-encode an address as a 32-byte word. */
function encodeAddress(address) {
  const word = new Uint8Array(32);
  word.set(address.bytes, 12);
  return word;
}

/** Concatenate byte strings. */
function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The deterministic 20-byte address of bench account `i` (0x…01, 0x…02, …; never zero). */
export function computeAccountAddress(i) {
  const bytes = new Uint8Array(20);
  bytes.set(encodeUint256(i + 1).subarray(12));
  return new Address(bytes);
}

/**
 * Deploy the token on a fresh EVM and spread `perAccount` tokens to each of `accounts` holders.
 * @param {{accounts: number, perAccount: bigint, stateManager?: object}} opts
 *   stateManager: an @ethereumjs/statemanager instance; default is createEVM's SimpleStateManager.
 */
export async function deployToken({ accounts, perAccount, stateManager }) {
  const compiled = compileToken();
  const evm = await createEVM(stateManager === undefined ? {} : { stateManager });
  if (evm.common.hardfork() !== EVM_FORK) throw new Error(`EVM runs ${evm.common.hardfork()}, token compiled for ${EVM_FORK}`);
  const holders = Array.from({ length: accounts }, (_, i) => computeAccountAddress(i));
  for (const holder of holders) await evm.stateManager.putAccount(holder, new Account(0n, 0n));

  const deployer = holders[0];
  const supply = perAccount * BigInt(accounts);
  const created = await evm.runCall({
    caller: deployer,
    data: concatBytes(compiled.bytecode, encodeUint256(supply)),
    gasLimit: DEPLOY_GAS_LIMIT,
  });
  assertCallSucceeded(created, "deploy");
  await endTransaction(evm);
  const token = { evm, address: created.createdAddress, selectors: compiled.selectors, holders, solcVersion: compiled.solcVersion };
  for (const holder of holders.slice(1)) await transfer(token, deployer, holder, perAccount);
  return token;
}

/**
 * What @ethereumjs/vm's runTx does after every transaction: drop the journal (touched accounts,
 * EIP-2929 warm sets) and the original-storage cache behind EIP-2200 SSTORE pricing.
 */
async function endTransaction(evm) {
  await evm.journal.cleanup();
  evm.stateManager.originalStorageCache.clear();
}

/** Throw if a runCall result is an exceptional halt or revert, or did not return `true`. */
function assertCallSucceeded(result, what) {
  const error = result.execResult.exceptionError;
  if (error !== undefined) throw new Error(`EVM ${what} failed: ${error.error}`);
}

/**
 * One ERC-20 `transfer(to, amount)` from `from`, as a top-level runCall, then the per-transaction
 * cleanup. Throws if the token reverts or does not return true; returns the gas used.
 */
export async function transfer(token, from, to, amount) {
  const data = concatBytes(token.selectors["transfer(address,uint256)"], encodeAddress(to), encodeUint256(amount));
  const result = await token.evm.runCall({ caller: from, to: token.address, data, gasLimit: TRANSFER_GAS_LIMIT });
  assertCallSucceeded(result, "transfer");
  if (bytesToBigInt(result.execResult.returnValue) !== 1n) throw new Error("EVM transfer did not return true");
  await endTransaction(token.evm);
  return result.execResult.executionGasUsed;
}

/** `balanceOf(holder)` through a static call. */
export async function balanceOf(token, holder) {
  const data = concatBytes(token.selectors["balanceOf(address)"], encodeAddress(holder));
  const result = await token.evm.runCall({ caller: holder, to: token.address, data, isStatic: true, skipNonceIncrement: true });
  assertCallSucceeded(result, "balanceOf");
  await endTransaction(token.evm);
  return bytesToBigInt(result.execResult.returnValue);
}

/**
 * Open a block: a state-manager checkpoint around the block's transactions, as @ethereumjs/vm's
 * runBlock takes one. While it is open, MerkleStateManager keeps writes in its caches instead of
 * flushing them into the trie at the end of every call.
 */
export async function beginBlock(token) {
  await token.evm.stateManager.checkpoint();
}

/** Close the block: commit its checkpoint (flushing writes into the trie) and return the state root. */
export async function endBlock(token) {
  await token.evm.stateManager.commit();
  return token.evm.stateManager.getStateRoot();
}
