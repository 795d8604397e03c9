/**
 * What a light client trusts, and what it derives from it (docs/protocols/lightclient.md).
 *
 * A **trust anchor** is the genesis anchor (`xshard.genesis/1`: seed, committee size and count,
 * validator keys and stakes, genesis contracts) or a **checkpoint** (`xshard.checkpoint/1`: the
 * genesis anchor plus a later Stage-2 block — number, header root — and the validators slashed up
 * to and including that block). Nothing in a proof changes it.
 *
 * From it the light client derives, with the chain's own selection functions (`src/chain/`):
 * - the Stage-2 attesters of block `n`: `computeSlotCommittee(active, seed, n, size, DOMAIN_STAGE2_COMMITTEE)`
 *   where `active` is the validator set minus the slashed ones, in index order (as the chain draws them);
 * - contract committee `k`: `computeCommittee(validators, seed, K, size, k)` — the standing
 *   committee dealt at genesis; members slashed since then still appear in it but carry no weight.
 */
import { toHex } from "../../../crypto/hash.js";
import { XshardError } from "../../../errors.js";
import {
  DOMAIN_STAGE2_COMMITTEE,
  computeCommittee,
  computeGenesisRoot,
  computeSlotCommittee,
  type GenesisAnchor,
  type PublicValidator,
} from "../../../chain/index.js";
import { createFieldReader } from "../../../chain/fields.js";
import { encodeGenesisFile, parseGenesisFile, readGenesisAnchor, type GenesisFile } from "../../../chain/anchorFile.js";

export const CHECKPOINT_FILE_SCHEMA = "xshard.checkpoint/1" as const;

/** A later state the light client trusts: Stage-2 block `number` has root `headerRoot`; `slashed` were slashed by blocks ≤ `number`. */
export interface Checkpoint {
  readonly number: number;
  readonly headerRoot: Uint8Array;
  readonly slashed: readonly number[];
}

export interface TrustAnchor {
  readonly genesis: GenesisAnchor;
  /** `computeGenesisRoot(genesis)`: every signature the light client accepts is bound to it. */
  readonly genesisRoot: Uint8Array;
  /** Absent: the anchor is genesis itself (block 0, nobody slashed). */
  readonly checkpoint?: Checkpoint;
}

export interface CheckpointFile {
  schema: typeof CHECKPOINT_FILE_SCHEMA;
  genesis: GenesisFile;
  number: number;
  headerRoot: string;
  slashed: number[];
}

/** A trust anchor at genesis. */
export function createGenesisTrust(genesis: GenesisAnchor): TrustAnchor {
  return { genesis, genesisRoot: computeGenesisRoot(genesis) };
}

/** A trust anchor at a checkpoint; BAD_ANCHOR when a slashed index names no validator. */
export function createCheckpointTrust(genesis: GenesisAnchor, checkpoint: Checkpoint): TrustAnchor {
  const n = genesis.validators.length;
  const slashed = [...new Set(checkpoint.slashed)].sort((a, b) => a - b);
  const outside = slashed.find((i) => !(Number.isSafeInteger(i) && i >= 0 && i < n));
  if (outside !== undefined) throw new XshardError("BAD_ANCHOR", `checkpoint: slashed validator ${outside} is not in the genesis validator set (0..${n - 1})`, { index: outside });
  if (checkpoint.headerRoot.length !== 32) throw new XshardError("BAD_ANCHOR", "checkpoint: headerRoot must be 32 bytes", { length: checkpoint.headerRoot.length });
  return { genesis, genesisRoot: computeGenesisRoot(genesis), checkpoint: { number: checkpoint.number, headerRoot: checkpoint.headerRoot, slashed } };
}

export function encodeCheckpointFile(genesis: GenesisAnchor, checkpoint: Checkpoint): CheckpointFile {
  return {
    schema: CHECKPOINT_FILE_SCHEMA,
    genesis: encodeGenesisFile(genesis),
    number: checkpoint.number,
    headerRoot: toHex(checkpoint.headerRoot),
    slashed: [...new Set(checkpoint.slashed)].sort((a, b) => a - b),
  };
}

/** Parses a checkpoint file (JSON already decoded); BAD_ANCHOR naming the field for anything else. */
export function parseCheckpointFile(doc: unknown): TrustAnchor {
  const r = createFieldReader("BAD_ANCHOR", "checkpoint file");
  r.schema(doc, "checkpoint", CHECKPOINT_FILE_SCHEMA);
  const o = r.object(doc, "checkpoint", ["schema", "genesis", "number", "headerRoot", "slashed"]);
  const genesis = readGenesisAnchor(r, o.genesis, "checkpoint.genesis");
  const number = r.uint(o.number, "checkpoint.number");
  const headerRoot = r.hex(o.headerRoot, "checkpoint.headerRoot", 32);
  const slashed = r.list(o.slashed, "checkpoint.slashed", genesis.validators.length, (x, p) => r.uint(x, p, genesis.validators.length - 1));
  return createCheckpointTrust(genesis, { number, headerRoot, slashed });
}

/** Parses either kind of anchor file by its schema. */
export function parseTrustAnchorFile(doc: unknown): TrustAnchor {
  const schema = typeof doc === "object" && doc !== null ? (doc as { schema?: unknown }).schema : undefined;
  return schema === CHECKPOINT_FILE_SCHEMA ? parseCheckpointFile(doc) : createGenesisTrust(parseGenesisFile(doc));
}

/** Validators slashed as of the anchor. */
export function getSlashed(anchor: TrustAnchor): ReadonlySet<number> {
  return new Set(anchor.checkpoint?.slashed ?? []);
}

/** The active validator set as of the anchor: genesis minus the slashed, in index order (the list the chain shuffles). */
export function computeActiveValidators(anchor: TrustAnchor): PublicValidator[] {
  const slashed = getSlashed(anchor);
  return anchor.genesis.validators.filter((v) => !slashed.has(v.index));
}

/** The attesters of Stage-2 block `number`, drawn from `active` (see `computeActiveValidators`). */
export function computeStage2Attesters(anchor: TrustAnchor, active: readonly PublicValidator[], number: number): PublicValidator[] {
  const g = anchor.genesis;
  return computeSlotCommittee(active, g.seed, number, g.committeeSize, DOMAIN_STAGE2_COMMITTEE);
}

/** Contract committee `k` as dealt at genesis (slashed members included; they carry no weight). */
export function computeContractCommittee(anchor: TrustAnchor, k: number): PublicValidator[] {
  const g = anchor.genesis;
  return computeCommittee(g.validators, g.seed, g.committees, g.committeeSize, k);
}
