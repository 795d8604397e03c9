/**
 * The files a node starts from:
 * - the devnet genesis `xshard.devnet-genesis/1`: what every node of one chain must agree on —
 *   the chain's seed, validator count, committees, committee size, block limit, Stage-2 mode, the
 *   wall-clock genesis time and slot length, and the genesis contracts (library code names and
 *   `init` arguments) and beacon accounts — plus, under `anchor`, the `xshard.genesis/1` trust
 *   anchor a light client reads (checked against the chain the node computes);
 * - the key file `xshard.keys/1`: the validators this node signs for (index and 32-byte secret key).
 * Contract code comes from the library only (`file:` code is refused: a genesis must not depend on
 * a path on one machine).
 */
import { createValidators, type Genesis } from "../chain/index.js";
import { createGenesisAnchor, encodeGenesisFile } from "../chain/anchorFile.js";
import { createFieldReader } from "../chain/fields.js";
import { deployGenesis } from "../chain/genesis.js";
import { SecretKey } from "@chainsafe/blst";
import { fromHex, toHex } from "../crypto/hash.js";
import { XshardError } from "../errors.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm, Runtime } from "../runtime/index.js";
import type { Stage2Mode } from "../protocols/delayed/rules.js";
import { DEFAULT_STAGE1_BYTES } from "../protocols/delayed/options.js";
import type { DelayedParams } from "../protocols/delayed/state.js";
import type { GenesisFile } from "../chain/anchorFile.js";
import type { ValidatorKey } from "../crypto/bls.js";

export const DEVNET_GENESIS_SCHEMA = "xshard.devnet-genesis/1";
export const KEY_FILE_SCHEMA = "xshard.keys/1";

export interface DevnetGenesis {
  readonly seed: string;
  readonly genesisTimeMs: number;
  readonly slotMs: number;
  readonly validators: number;
  readonly committees: number;
  readonly committeeSize: number;
  readonly blockTxLimit: number;
  readonly stage2Mode: Stage2Mode;
  readonly genesis: Genesis;
  /** The light-client anchor's genesis root the file states (hex), checked against the computed chain. */
  readonly anchorRoot?: string;
}

/** Library contract code by name; anything else is `UNKNOWN_CONTRACT_CODE`. */
/** Execution gas per slot of one committee on a devnet: the simulator's default (`--slot-gas`), so a devnet and its prediction share it. */
export const DEVNET_SLOT_GAS = 2_000_000;

/**
 * The chain parameters a devnet's nodes agree on: the genesis file's, with the resource limits of
 * the simulator's defaults (slot gas per committee, one Stage-2 block per slot, 1 MiB Stage-1 blocks).
 */
export function computeDevnetParams(g: DevnetGenesis, stage2Mode: Stage2Mode = g.stage2Mode): DelayedParams {
  return {
    seed: g.seed,
    committees: g.committees,
    committeeSize: g.committeeSize,
    blockTxLimit: g.blockTxLimit,
    slotGas: DEVNET_SLOT_GAS,
    stage2PerSlot: 1,
    stage1Bytes: DEFAULT_STAGE1_BYTES,
    stage2Mode,
    assignment: "shuffle",
    loadBound: 0,
  };
}

export function loadNodeContractCode(code: string): Uint8Array {
  if (!(LIBRARY_CONTRACTS as readonly string[]).includes(code)) {
    throw new XshardError("UNKNOWN_CONTRACT_CODE", `a node genesis names library contracts only (${LIBRARY_CONTRACTS.join(", ")}), not '${code}'`, { code });
  }
  return loadLibraryWasm(code as (typeof LIBRARY_CONTRACTS)[number]);
}

/** The light-client anchor (`xshard.genesis/1`) of a devnet genesis. */
export function computeAnchorFile(g: DevnetGenesis): GenesisFile {
  const deployed = deployGenesis(new Runtime(), g.genesis, loadNodeContractCode);
  return encodeGenesisFile(createGenesisAnchor({ seed: g.seed, validators: g.validators, committeeSize: g.committeeSize, committees: g.committees }, deployed));
}

export function encodeDevnetGenesis(g: DevnetGenesis): Record<string, unknown> {
  return {
    schema: DEVNET_GENESIS_SCHEMA,
    seed: g.seed,
    genesisTimeMs: g.genesisTimeMs,
    slotMs: g.slotMs,
    validators: g.validators,
    committees: g.committees,
    committeeSize: g.committeeSize,
    blockTxLimit: g.blockTxLimit,
    stage2Mode: g.stage2Mode,
    contracts: g.genesis.contracts.map((c) => ({ id: c.id, code: c.code, init: c.init.map((a) => toHex(a)), ...(c.placement === undefined ? {} : { placement: c.placement }) })),
    accounts: g.genesis.accounts.map((a) => ({ name: a.name, balance: a.balance.toString() })),
    anchor: computeAnchorFile(g),
  };
}

const HEX = (s: string): string => (s.startsWith("0x") ? s.slice(2) : s);

/** Reads a devnet genesis (JSON already parsed); `BAD_GENESIS` naming the field otherwise. */
export function parseDevnetGenesis(doc: unknown): DevnetGenesis {
  const r = createFieldReader("BAD_GENESIS", "genesis file");
  r.schema(doc, "genesis", DEVNET_GENESIS_SCHEMA);
  const o = r.object(doc, "genesis", ["schema", "seed", "genesisTimeMs", "slotMs", "validators", "committees", "committeeSize", "blockTxLimit", "stage2Mode", "contracts", "accounts", "anchor"], ["anchor"]);
  const seed = r.string(o.seed, "genesis.seed", 256);
  const slotMs = r.uint(o.slotMs, "genesis.slotMs", 3_600_000);
  if (slotMs < 100) r.fail("genesis.slotMs", "must be at least 100");
  const validators = r.uint(o.validators, "genesis.validators", 4096);
  const committees = r.uint(o.committees, "genesis.committees", 256);
  const committeeSize = r.uint(o.committeeSize, "genesis.committeeSize", 4096);
  if (validators < 1 || committees < 1 || committeeSize < 1) r.fail("genesis", "validators, committees and committeeSize must be at least 1");
  const contracts = r.list(o.contracts, "genesis.contracts", 1 << 16, (x, p) => {
    const c = r.object(x, p, ["id", "code", "init", "placement"], ["placement"]);
    const init = r.list(c.init, `${p}.init`, 1 << 16, (a, q) => (a === "0x" || a === "" ? new Uint8Array(0) : r.hex(typeof a === "string" ? HEX(a) : a, q, undefined, 4096)));
    const spec = { id: r.string(c.id, `${p}.id`, 64), code: r.string(c.code, `${p}.code`, 64), init };
    return c.placement === undefined ? spec : { ...spec, placement: r.uint(c.placement, `${p}.placement`) };
  });
  const accounts = r.list(o.accounts, "genesis.accounts", 1 << 20, (x, p) => {
    const a = r.object(x, p, ["name", "balance"]);
    if (typeof a.balance !== "string" || !/^[0-9]{1,30}$/.test(a.balance)) r.fail(`${p}.balance`, "must be a decimal string");
    return { name: r.string(a.name, `${p}.name`, 128), balance: BigInt(a.balance as string) };
  });
  const g: DevnetGenesis = {
    seed,
    genesisTimeMs: r.uint(o.genesisTimeMs, "genesis.genesisTimeMs"),
    slotMs,
    validators,
    committees,
    committeeSize,
    blockTxLimit: r.uint(o.blockTxLimit, "genesis.blockTxLimit", 1 << 14),
    stage2Mode: r.oneOf(o.stage2Mode, "genesis.stage2Mode", ["strict", "conditional"] as const),
    genesis: { contracts, accounts },
  };
  if (o.anchor === undefined) return g;
  const root = (o.anchor as { genesisRoot?: unknown } | null)?.genesisRoot;
  if (typeof root !== "string" || !/^[0-9a-f]{64}$/.test(root)) r.fail("genesis.anchor.genesisRoot", "must be 64 lower-case hex digits");
  // Checked by the node against the chain it computes (NodeChain), without deploying twice.
  return { ...g, anchorRoot: root as string };
}

/** A validator key this node signs with. */
export interface NodeKey {
  readonly index: number;
  readonly key: ValidatorKey;
}

/** The key file of validators `indices` of a chain whose keys derive from `seed` (devnets). */
export function encodeKeyFile(seed: string, indices: readonly number[], total: number): Record<string, unknown> {
  const all = createValidators(total, seed);
  return { schema: KEY_FILE_SCHEMA, keys: indices.map((i) => ({ index: i, secretKey: toHex((all[i] as (typeof all)[number]).key.sk.toBytes()) })) };
}

/** Reads a key file and checks every key against the chain's validator set; `BAD_KEYS` otherwise. */
export function parseKeyFile(doc: unknown, g: DevnetGenesis): NodeKey[] {
  const r = createFieldReader("BAD_KEYS", "key file");
  r.schema(doc, "keys", KEY_FILE_SCHEMA);
  const o = r.object(doc, "keys", ["schema", "keys"]);
  const validators = createValidators(g.validators, g.seed);
  const seen = new Set<number>();
  return r.list(o.keys, "keys.keys", 4096, (x, p) => {
    const k = r.object(x, p, ["index", "secretKey"]);
    const index = r.uint(k.index, `${p}.index`, g.validators - 1);
    if (seen.has(index)) r.fail(`${p}.index`, "is listed twice");
    seen.add(index);
    const bytes = r.hex(typeof k.secretKey === "string" ? HEX(k.secretKey) : k.secretKey, `${p}.secretKey`, 32);
    let sk: SecretKey;
    try {
      sk = SecretKey.fromBytes(bytes);
    } catch {
      return r.fail(`${p}.secretKey`, "is not a BLS secret key");
    }
    const pubkey = sk.toPublicKey().toBytes(true);
    if (toHex(pubkey) !== toHex((validators[index] as (typeof validators)[number]).key.pubkey)) r.fail(`${p}.secretKey`, `is not the key of validator ${index}`);
    return { index, key: { sk, pubkey } };
  });
}

export { fromHex };
