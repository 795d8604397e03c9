/**
 * The genesis anchor as a file (`xshard.genesis/1`): what a light client is given once and trusts —
 * the chain's seed, committee parameters, the validator set (public keys and stakes, in index
 * order) and the genesis contracts' roots. Its root is `computeGenesisRoot`, the root every
 * signature of the chain is bound to.
 */
import { toHex } from "../crypto/hash.js";
import { PUBKEY_BYTES } from "../crypto/bls.js";
import { computeGenesisRoot, type GenesisAnchor, type PublicValidator } from "./anchor.js";
import { createFieldReader, type FieldReader } from "./fields.js";
import { createValidators } from "./validators.js";
import type { DeployedContract } from "./genesis.js";

export const GENESIS_FILE_SCHEMA = "xshard.genesis/1" as const;

/** Bounds of the anchor's SSZ type (`GenesisAnchorType`). */
const MAX_SEED_BYTES = 256;
const MAX_VALIDATORS = 1 << 20;
const MAX_CONTRACTS = 1 << 20;
const MAX_CONTRACT_ID_BYTES = 64;

export interface GenesisFile {
  schema: typeof GENESIS_FILE_SCHEMA;
  /** hex of `computeGenesisRoot` (informative: the reader recomputes it and refuses a mismatch). */
  genesisRoot: string;
  seed: string;
  committeeSize: number;
  committees: number;
  validators: { pubkey: string; stake: number }[];
  contracts: { id: string; codeHash: string; root: string }[];
}

/**
 * The genesis anchor of a chain with these parameters (`committees`: Stage-2 contract committees
 * or shards) and these deployed genesis contracts — the anchor a chain computes at its start.
 */
export function createGenesisAnchor(c: { seed: string; validators: number; committeeSize: number; committees: number }, deployed: readonly DeployedContract[]): GenesisAnchor {
  return {
    seed: c.seed,
    committeeSize: c.committeeSize,
    committees: c.committees,
    validators: createValidators(c.validators, c.seed),
    contracts: deployed.map((d) => ({ id: d.id, codeHash: d.codeHash, root: d.state.root() })),
  };
}

/** The JSON form of a genesis anchor. */
export function encodeGenesisFile(a: GenesisAnchor): GenesisFile {
  return {
    schema: GENESIS_FILE_SCHEMA,
    genesisRoot: toHex(computeGenesisRoot(a)),
    seed: a.seed,
    committeeSize: a.committeeSize,
    committees: a.committees,
    validators: a.validators.map((v) => ({ pubkey: toHex(v.key.pubkey), stake: v.stake })),
    contracts: a.contracts.map((c) => ({ id: c.id, codeHash: c.codeHash, root: toHex(c.root) })),
  };
}

/** Reads a genesis anchor with `r` at `path` (also used inside checkpoint files). */
export function readGenesisAnchor(r: FieldReader, doc: unknown, path: string): GenesisAnchor {
  r.schema(doc, path, GENESIS_FILE_SCHEMA);
  const o = r.object(doc, path, ["schema", "genesisRoot", "seed", "committeeSize", "committees", "validators", "contracts"], ["genesisRoot"]);
  if (typeof o.seed !== "string" || Buffer.byteLength(o.seed) > MAX_SEED_BYTES) r.fail(`${path}.seed`, `must be a string of at most ${MAX_SEED_BYTES} bytes`);
  const committeeSize = r.uint(o.committeeSize, `${path}.committeeSize`);
  const committees = r.uint(o.committees, `${path}.committees`);
  if (committeeSize < 1) r.fail(`${path}.committeeSize`, "must be at least 1");
  if (committees < 1) r.fail(`${path}.committees`, "must be at least 1");
  const validators = r.list(o.validators, `${path}.validators`, MAX_VALIDATORS, (x, p, index): PublicValidator => {
    const v = r.object(x, p, ["pubkey", "stake"]);
    return { index, stake: r.uint(v.stake, `${p}.stake`), key: { pubkey: r.hex(v.pubkey, `${p}.pubkey`, PUBKEY_BYTES) } };
  });
  if (validators.length === 0) r.fail(`${path}.validators`, "must list at least one validator");
  const contracts = r.list(o.contracts, `${path}.contracts`, MAX_CONTRACTS, (x, p) => {
    const c = r.object(x, p, ["id", "codeHash", "root"]);
    return { id: r.string(c.id, `${p}.id`, MAX_CONTRACT_ID_BYTES), codeHash: toHex(r.hex(c.codeHash, `${p}.codeHash`, 32)), root: r.hex(c.root, `${p}.root`, 32) };
  });
  const anchor: GenesisAnchor = { seed: o.seed as string, committeeSize, committees, validators, contracts };
  if (o.genesisRoot !== undefined) {
    const stated = r.hex(o.genesisRoot, `${path}.genesisRoot`, 32);
    if (toHex(stated) !== toHex(computeGenesisRoot(anchor))) r.fail(`${path}.genesisRoot`, "does not match the root of the file's contents");
  }
  return anchor;
}

/** Parses a genesis file (JSON already decoded); BAD_ANCHOR naming the field for anything else. */
export function parseGenesisFile(doc: unknown): GenesisAnchor {
  return readGenesisAnchor(createFieldReader("BAD_ANCHOR", "genesis file"), doc, "genesis");
}
