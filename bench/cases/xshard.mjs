/**
 * xshard cases, run against the built library in dist/ (`npm run build`). The library is loaded in
 * `setup`, so `--only evm` works before dist/ exists.
 *
 * Token transfers: the `token` library contract (AssemblyScript, compiled to Wasm, instrumented
 * with the deterministic instruction meter) runs `transfer(to, amount)` for each transfer; a block's
 * writes collect in an overlay that later transfers read through, and at the end of the block they
 * go into the contract's MerkleKV in one batch and the state root is recomputed.
 */
import { BLOCK_SIZE, HOLDERS, INITIAL_BALANCE, TRANSFER_AMOUNT, computeTransferPair } from "./workload.mjs";

/** Keys in the state the Merkle proofs are checked against. */
const PROOF_STATE_KEYS = 10_000;
/** Proofs verified per run (distinct keys, pre-built in setup). */
const PROOFS_PER_RUN = 1000;

/** Load the built library modules the cases use. */
async function loadLibrary() {
  const [runtime, state, hash] = await Promise.all([
    import("../../dist/runtime/index.js"),
    import("../../dist/state/index.js"),
    import("../../dist/crypto/hash.js"),
  ]);
  return { ...runtime, ...state, ...hash };
}

/** An 8-byte little-endian u64, the token contract's amount encoding. */
function encodeU64(value) {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return bytes;
}

/** A 32-byte transaction id for transfer number `i` (only successor ids derive from it). */
function computeTxId(i) {
  const id = new Uint8Array(32);
  id[28] = i >>> 24;
  id[29] = i >>> 16;
  id[30] = i >>> 8;
  id[31] = i;
  return id;
}

/**
 * The state a block executes against: the last committed MerkleKV with the block's pending writes
 * on top, keyed by hex like a `WriteSet` (`getKeyHex` gives the hex of the runtime's interned keys
 * without converting them again). `commit()` applies them in one batch.
 */
class BlockState {
  constructor(lib, base) {
    this.lib = lib;
    this.base = base;
    this.pending = new Map();
  }

  get(key) {
    const pending = this.pending.get(this.lib.getKeyHex(key));
    return pending === undefined ? this.base.get(key) : (pending ?? undefined);
  }

  write(writes) {
    writes.forEach((value, hex) => this.pending.set(hex, value));
  }

  commit() {
    this.base = this.base.applyWrites(this.pending);
    this.pending = new Map();
    return this.base.root();
  }
}

/** Register the token, mint every holder's balance, and commit the genesis state. */
async function setupToken() {
  const lib = await loadLibrary();
  const runtime = new lib.Runtime({ instructionBudget: 10_000_000n, memoryPages: 16 });
  const codeHash = runtime.registerCode(lib.loadLibraryWasm("token"));
  const holders = Array.from({ length: HOLDERS }, (_, i) => lib.sha256("bench holder ", String(i)));
  const ctx = { lib, runtime, codeHash, holders, state: new BlockState(lib, lib.MerkleKV.empty()), next: 0, instructions: 0n, lastRoot: undefined };
  const mint = holders.flatMap((h) => [{ bytes: h }, { bytes: encodeU64(INITIAL_BALANCE) }]);
  callToken(ctx, holders[0], "init", mint, computeTxId(0));
  ctx.state.commit();
  ctx.instructions = 0n;
  return ctx;
}

/** One token call through the metered runtime; its writes go into the block state. */
function callToken(ctx, caller, method, args, txId) {
  const result = ctx.runtime.call({ contract: "token", codeHash: ctx.codeHash, state: ctx.state, caller, method, args, txId });
  if (!result.ok) throw new Error(`token.${method} failed: ${result.failure.kind} ${result.failure.message}`);
  ctx.state.write(result.writes);
  ctx.instructions += result.instructions;
  return result.returnData;
}

/** One block of transfers; with `withRoot`, commit the block's writes and recompute the root. */
function runBlock(ctx, withRoot) {
  const amount = { bytes: encodeU64(TRANSFER_AMOUNT) };
  for (let n = 0; n < BLOCK_SIZE; n++) {
    const i = ctx.next++;
    const [from, to] = computeTransferPair(i);
    callToken(ctx, ctx.holders[from], "transfer", [{ bytes: ctx.holders[to] }, amount], computeTxId(i + 1));
  }
  if (withRoot) ctx.lastRoot = ctx.state.commit();
}

/** Check that the transfers conserved the supply, and report what ran. */
function describeToken(ctx) {
  const instructionsPerTransfer = Number(ctx.instructions) / ctx.next;
  let total = 0n;
  for (const holder of ctx.holders) {
    const balance = callToken(ctx, holder, "balanceOf", [{ bytes: holder }], computeTxId(0));
    total += new DataView(balance.buffer, balance.byteOffset).getBigUint64(0, true);
  }
  if (total !== INITIAL_BALANCE * BigInt(HOLDERS)) throw new Error(`xshard token supply changed: ${total}`);
  return {
    transfers: ctx.next,
    holders: HOLDERS,
    instructionsPerTransfer,
    ...(ctx.lastRoot === undefined ? {} : { stateRoot: ctx.lib.toHex(ctx.lastRoot) }),
  };
}

/** @type {import("../harness.mjs").BenchCase} */
export const xshardTransferWithRoot = {
  name: "xshard.token-transfer+root",
  title: `token transfer on the metered Wasm runtime, contract state root every ${BLOCK_SIZE}`,
  unit: "transfers",
  opsPerRun: BLOCK_SIZE,
  baselines: ["evm.erc20-transfer", "evm.erc20-transfer+root"],
  setup: setupToken,
  run: (ctx) => runBlock(ctx, true),
  describe: describeToken,
};

/** @type {import("../harness.mjs").BenchCase} */
export const xshardTransfer = {
  name: "xshard.token-transfer",
  title: "token transfer on the metered Wasm runtime, writes kept in memory, no state root",
  unit: "transfers",
  opsPerRun: BLOCK_SIZE,
  baselines: ["evm.erc20-transfer"],
  setup: setupToken,
  run: (ctx) => runBlock(ctx, false),
  describe: describeToken,
};

/** A 10,000-key contract state and single-key proofs for `PROOFS_PER_RUN` of its keys. */
async function setupProofs() {
  const lib = await loadLibrary();
  const entries = Array.from({ length: PROOF_STATE_KEYS }, (_, i) => [lib.sha256("bench key ", String(i)), encodeU64(BigInt(i))]);
  const kv = lib.MerkleKV.fromEntries(entries);
  const root = kv.root();
  const step = Math.floor(PROOF_STATE_KEYS / PROOFS_PER_RUN);
  const proofs = Array.from({ length: PROOFS_PER_RUN }, (_, n) => {
    const [key, value] = entries[n * step];
    return { key, value, proof: lib.proveKey(kv, key) };
  });
  const witnessBytes = proofs.reduce((n, p) => n + lib.encodeWitness(p.proof).length, 0);
  return { lib, root, proofs, meanWitnessBytes: witnessBytes / proofs.length };
}

/** Verify every pre-built proof; a proof that fails is a bug, not a measurement. */
function verifyProofs(ctx) {
  for (const { key, value, proof } of ctx.proofs) {
    if (!ctx.lib.verifyInclusion(ctx.root, key, value, proof)) throw new Error("a valid state proof failed to verify");
  }
}

/** @type {import("../harness.mjs").BenchCase} */
export const merkleProofVerify = {
  name: "xshard.merkle-proof-verify",
  title: `single-key state proof verified against a ${PROOF_STATE_KEYS.toLocaleString("en-US")}-key state`,
  unit: "proofs",
  opsPerRun: PROOFS_PER_RUN,
  setup: setupProofs,
  run: verifyProofs,
  describe: (ctx) => ({ stateKeys: PROOF_STATE_KEYS, distinctProofs: ctx.proofs.length, meanWitnessBytes: ctx.meanWitnessBytes }),
};
