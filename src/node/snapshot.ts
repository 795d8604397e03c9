/**
 * Chain snapshots (issue 13, docs/node.md "Store and restart"): a restarted node resumes from the
 * latest snapshot its store holds and replays only the blocks after it, instead of every block from
 * genesis.
 *
 * A snapshot is taken only at a **quiescent point** — every sequenced transaction final, every
 * contract's frontier in this node's views at its affirmed state with the root the chain affirmed,
 * nothing awaiting a result — where the committees' local views reduce to the affirmed states (their
 * unaffirmed work, conditional views and step gas are empty or unused there). It holds the agreed
 * state (`delayedStateToJson`), each contract's affirmed state (its entries), the committees'
 * `followed` lists and delivered prefixes, the node's transaction records with where each was
 * affirmed, per Stage-2 block its root and what its import derived from the state (attesting slot
 * committee, batch members: the block itself is read back from the store and must have that root;
 * proofs are built from it), the slashings, both heads,
 * `stage1Roots` and `orderDigest`. It is written in the same LMDB batch as the block that reached it
 * (`NodeStore.processBlockWithEffects`), so a kill -9 leaves the store with the block and its
 * snapshot or with neither.
 *
 * On disk: a version byte, sha256 of the payload, the payload (JSON, UTF-8). On start it is trusted
 * no further than the store proves: version and hash (a torn or old-schema snapshot), strict parse,
 * each contract state's root equal to the agreed state's affirmed root, the heads, `stage1Roots`
 * and the Stage-2 block roots equal to the store's finalized roots, the agreed state's head roots
 * equal to the stored blocks at those heights, the snapshot a prefix of the canonical import order
 * of the stored chains (`mergeChains`) and its order digest that prefix's. Anything else: a replay
 * from genesis, and the reason in the log (`checkSnapshot`).
 */
import { bytesEqual, sha256 } from "../crypto/hash.js";
import { XshardError, isXshardError } from "../errors.js";
import { delayedStateFromJson, delayedStateToJson } from "../protocols/delayed/json.js";
import { getAffirmedIdx, getLogItem, getTx, type DelayedState } from "../protocols/delayed/state.js";
import type { Validator } from "../chain/index.js";
import { decodeStage2Block, materializeStage2Block } from "./wire.js";
import type { SignedStage2Block } from "../protocols/delayed/stage2.js";
import { malformed, parseArray, parseBool, parseBytes, parseFields, parseInteger, parseString, toHexJson, type JsonObject } from "../protocols/shards/json.js";
import { MerkleKV } from "../state/index.js";
import type { MaybeValue, WriteSet } from "../types.js";
import type { TxResult } from "../protocols/delayed/committee.js";
import { NodeChain, type ChainHead, type NodeTxRecord } from "./chain.js";
import type { DevnetGenesis } from "./genesis.js";
import type { SlashingView } from "./evidence.js";
import { mergeChains } from "./order.js";
import type { NodeStore } from "./store/store.js";

/** Version byte of the on-disk form; a snapshot of another version is not read (replay from genesis). */
export const SNAPSHOT_VERSION = 1;

/** Whether `chain` is at a quiescent point (a snapshot can be taken). */
export function isQuiescent(chain: NodeChain): boolean {
  if (!chain.isSettled()) return false;
  for (const r of chain.state.contracts.values()) {
    const at = getAffirmedIdx(r);
    const f = chain.views.frontiers.get(r.id);
    if (r.awaitingCreator || at !== r.queue.length || !f || f.localIdx !== at) return false;
    const snap = f.snaps[at];
    const root = f.roots[at];
    if (!snap || !root || !bytesEqual(root, getLogItem(r.chainRoots, at)) || snap.ended !== getLogItem(r.endedAt, at)) return false;
  }
  return true;
}

const valueToJson = (v: MaybeValue): unknown => (v === null ? null : { bytes: toHexJson(v.bytes), origin: v.origin ? { contract: v.origin.contract, method: v.origin.method } : null });
const writesToJson = (w: WriteSet): unknown[] => [...w].map(([k, v]) => [k, v === null ? null : toHexJson(v)]);

function resultToJson(r: TxResult): JsonObject {
  return {
    status: r.status,
    at: r.at,
    reason: r.reason,
    values: r.values.map(valueToJson),
    valuesRoot: toHexJson(r.valuesRoot),
    created: r.created.map((c) => ({ creator: c.creator, id: c.id, codeHash: c.codeHash, writes: writesToJson(c.writes) })),
  };
}

function resultFromJson(x: unknown, what: string): TxResult {
  const o = parseFields(x, ["status", "at", "reason", "values", "valuesRoot", "created"], what);
  const status = parseString(o["status"], `${what}.status`);
  if (status !== "committed" && status !== "aborted") malformed(`${what}.status`, "committed or aborted");
  const values = parseArray(o["values"], `${what}.values`).map((v, i): MaybeValue => {
    if (v === null) return null;
    const p = parseFields(v, ["bytes", "origin"], `${what}.values[${i}]`);
    const bytes = parseBytes(p["bytes"], `${what}.values[${i}].bytes`);
    if (p["origin"] === null) return { bytes };
    const g = parseFields(p["origin"], ["contract", "method"], `${what}.values[${i}].origin`);
    return { bytes, origin: { contract: parseString(g["contract"], `${what}.values[${i}].origin.contract`), method: parseString(g["method"], `${what}.values[${i}].origin.method`) } };
  });
  const created = parseArray(o["created"], `${what}.created`).map((c, i) => {
    const p = parseFields(c, ["creator", "id", "codeHash", "writes"], `${what}.created[${i}]`);
    const writes: WriteSet = new Map(
      parseArray(p["writes"], `${what}.created[${i}].writes`).map((w, j) => {
        const [k, v] = parseArray(w, `${what}.created[${i}].writes[${j}]`, 2);
        return [parseString(k, `${what}.created[${i}].writes[${j}].key`), v === null ? null : parseBytes(v, `${what}.created[${i}].writes[${j}].value`)] as const;
      }),
    );
    return { creator: parseString(p["creator"], `${what}.created[${i}].creator`), id: parseString(p["id"], `${what}.created[${i}].id`), codeHash: parseString(p["codeHash"], `${what}.created[${i}].codeHash`), writes };
  });
  const reason = o["reason"] === null ? null : parseString(o["reason"], `${what}.reason`);
  return { status, at: parseInteger(o["at"], `${what}.at`), reason, values, valuesRoot: parseBytes(o["valuesRoot"], `${what}.valuesRoot`, 32), created };
}

const headToJson = (h: ChainHead): JsonObject => ({ height: h.height, slot: h.slot, root: toHexJson(h.root) });

function headFromJson(x: unknown, what: string): ChainHead {
  const o = parseFields(x, ["height", "slot", "root"], what);
  return { height: parseInteger(o["height"], `${what}.height`), slot: parseInteger(o["slot"], `${what}.slot`), root: parseBytes(o["root"], `${what}.root`, 32) };
}

/** The snapshot of `chain` (which must be quiescent: `isQuiescent`), in its on-disk form. */
export function encodeSnapshot(chain: NodeChain, slashings: readonly SlashingView[]): Uint8Array {
  const blockIndex = new Map<SignedStage2Block, number>(chain.stage2Blocks.map((b, i) => [b, i]));
  const payload = {
    stage1: headToJson(chain.stage1),
    stage2: headToJson(chain.stage2),
    orderDigest: toHexJson(chain.orderDigest),
    stage1Roots: chain.stage1Roots.map(toHexJson),
    state: delayedStateToJson(chain.state),
    frontiers: [...chain.views.frontiers].map(([id, f]) => {
      const snap = f.snaps[f.localIdx];
      if (!snap) throw new XshardError("SNAPSHOT_NOT_QUIESCENT", `state ${f.localIdx} of ${id} is not held`, { contract: id });
      return { id, position: f.localIdx, ended: snap.ended, entries: [...snap.kv.entries()].map(([k, v]) => [toHexJson(k), toHexJson(v)]) };
    }),
    followed: chain.views.followed.map((l) => [...l]),
    known: [...chain.views.known],
    records: chain.records.map((r) => ({
      seq: r.seq,
      includedSlot: r.includedSlot,
      finalSlot: r.finalSlot ?? null,
      result: r.result ? resultToJson(r.result) : null,
      affirmedIn: [...r.affirmedIn].map(([c, l]) => [c, blockIndex.get(l.block) ?? -1, l.inclusion, l.affirmation, l.leaf]),
    })),
    // The blocks are in the store: only their root and what the import derived from the state (attesting slot committee, batch members).
    stage2Blocks: chain.stage2Blocks.map((b) => ({ root: toHexJson(b.root), attesters: b.attesters.map((v) => v.index), members: b.inclusions.map((i) => i.batch.members.map((v) => v.index)) })),
    slashings,
  };
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const out = new Uint8Array(33 + body.length);
  out[0] = SNAPSHOT_VERSION;
  out.set(sha256(body), 1);
  out.set(body, 33);
  return out;
}

/** A snapshot read back: the chain it restores and the node's slashings. */
export interface RestoredSnapshot {
  readonly chain: NodeChain;
  readonly slashings: SlashingView[];
}

function bad(message: string): never {
  throw new XshardError("BAD_SNAPSHOT", message, {});
}

/** Stage-2 block `height` as the node imported it: its stored bytes, with the committees the snapshot recorded for it. */
function restoreStage2Block(x: unknown, height: number, state: DelayedState, store: NodeStore): SignedStage2Block {
  const w = `snapshot.stage2Blocks[${height - 1}]`;
  const o = parseFields(x, ["root", "attesters", "members"], w);
  const bytes = store.getBlockByNumber("stage2", height);
  if (!bytes) bad(`the store has no Stage-2 block ${height}`);
  const b = materializeStage2Block(state, decodeStage2Block(bytes));
  if (!bytesEqual(b.root, parseBytes(o["root"], `${w}.root`, 32))) bad(`the stored Stage-2 block ${height} is not the one it names`);
  const validator = (v: unknown, at: string): Validator => state.validators[parseInteger(v, at)] ?? malformed(at, "a validator index");
  const members = parseArray(o["members"], `${w}.members`, b.inclusions.length).map((l, i) => parseArray(l, `${w}.members[${i}]`).map((v, j) => validator(v, `${w}.members[${i}][${j}]`)));
  return {
    ...b,
    attesters: parseArray(o["attesters"], `${w}.attesters`).map((v, j) => validator(v, `${w}.attesters[${j}]`)),
    inclusions: b.inclusions.map((inc, i) => ({ ...inc, batch: { ...inc.batch, members: members[i] as Validator[] } })),
  };
}

/** Reads a snapshot into a fresh `NodeChain` (throws `BAD_SNAPSHOT` / `MALFORMED_JSON`; checks only what it holds, not the store). */
export function decodeSnapshot(bytes: Uint8Array, genesis: DevnetGenesis, store: NodeStore, reorderWindow?: number): RestoredSnapshot {
  if (bytes.length < 33) bad(`${bytes.length} bytes: torn`);
  if (bytes[0] !== SNAPSHOT_VERSION) bad(`version ${String(bytes[0])}, this node reads ${SNAPSHOT_VERSION}`);
  const body = bytes.subarray(33);
  if (!bytesEqual(sha256(body), bytes.subarray(1, 33))) bad("its payload does not hash to the hash it carries (torn or corrupted)");
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    bad("its payload is not JSON");
  }
  const o = parseFields(doc, ["stage1", "stage2", "orderDigest", "stage1Roots", "state", "frontiers", "followed", "known", "records", "stage2Blocks", "slashings"], "snapshot");
  const chain = new NodeChain(genesis, reorderWindow);
  const [head1, head2] = [headFromJson(o["stage1"], "snapshot.stage1"), headFromJson(o["stage2"], "snapshot.stage2")];
  // A snapshot written before the state kept its heads' slots: they are its heads' (a node's Stage-2 number is its slot).
  const state = delayedStateFromJson(o["state"], chain.state.params, chain.validators, "snapshot.state", { stage1Slot: head1.slot, stage2Number: head2.slot, stage2Slot: head2.slot });
  if (!bytesEqual(state.genesisRoot, chain.state.genesisRoot)) bad("it is of another chain (genesis root)");
  const frontiers = parseArray(o["frontiers"], "snapshot.frontiers").map((x, i) => {
    const w = `snapshot.frontiers[${i}]`;
    const f = parseFields(x, ["id", "position", "ended", "entries"], w);
    const entries = parseArray(f["entries"], `${w}.entries`).map((e, j) => {
      const [k, v] = parseArray(e, `${w}.entries[${j}]`, 2);
      return [parseBytes(k, `${w}.entries[${j}].key`), parseBytes(v, `${w}.entries[${j}].value`)] as const;
    });
    return { id: parseString(f["id"], `${w}.id`), position: parseInteger(f["position"], `${w}.position`), ended: parseBool(f["ended"], `${w}.ended`), kv: MerkleKV.fromEntries(entries) };
  });
  // Every contract's state proves against the root the agreed state affirmed for it.
  if (frontiers.length !== state.contracts.size) bad(`${frontiers.length} contract states for ${state.contracts.size} contracts`);
  for (const f of frontiers) {
    const r = state.contracts.get(f.id);
    if (!r) bad(`a state of ${f.id}, which is not on chain`);
    if (f.position !== getAffirmedIdx(r) || f.position !== r.queue.length) bad(`the state of ${f.id} is not at its affirmed position`);
    if (!bytesEqual(f.kv.root(), getLogItem(r.chainRoots, f.position)) || f.ended !== getLogItem(r.endedAt, f.position)) bad(`the state of ${f.id} does not match its affirmed root`);
  }
  const followed = parseArray(o["followed"], "snapshot.followed", state.params.committees).map((l, k) => parseArray(l, `snapshot.followed[${k}]`).map((id, j) => parseString(id, `snapshot.followed[${k}][${j}]`)));
  const known = parseArray(o["known"], "snapshot.known", state.params.committees).map((n, k) => parseInteger(n, `snapshot.known[${k}]`));
  const blocks = parseArray(o["stage2Blocks"], "snapshot.stage2Blocks").map((x, i) => restoreStage2Block(x, i + 1, state, store));
  const records = parseArray(o["records"], "snapshot.records").map((x, i): NodeTxRecord => {
    const w = `snapshot.records[${i}]`;
    const r = parseFields(x, ["seq", "includedSlot", "finalSlot", "result", "affirmedIn"], w);
    if (r["seq"] !== i || i >= state.txs.length) malformed(`${w}.seq`, `${i}, a sequenced transaction`);
    const affirmedIn: NodeTxRecord["affirmedIn"] = new Map();
    for (const [j, a] of parseArray(r["affirmedIn"], `${w}.affirmedIn`).entries()) {
      const [c, b, inclusion, affirmation, leaf] = parseArray(a, `${w}.affirmedIn[${j}]`, 5);
      const block = blocks[parseInteger(b, `${w}.affirmedIn[${j}].block`)];
      if (!block) malformed(`${w}.affirmedIn[${j}].block`, "an index of snapshot.stage2Blocks");
      affirmedIn.set(parseString(c, `${w}.affirmedIn[${j}].contract`), { block, inclusion: parseInteger(inclusion, `${w}.affirmedIn[${j}].inclusion`), affirmation: parseInteger(affirmation, `${w}.affirmedIn[${j}].affirmation`), leaf: parseInteger(leaf, `${w}.affirmedIn[${j}].leaf`) });
    }
    const rec: NodeTxRecord = { seq: i, txId: getTx(state, i).txId, includedSlot: parseInteger(r["includedSlot"], `${w}.includedSlot`), affirmedIn };
    if (r["finalSlot"] !== null) rec.finalSlot = parseInteger(r["finalSlot"], `${w}.finalSlot`);
    if (r["result"] !== null) rec.result = resultFromJson(r["result"], `${w}.result`);
    return rec;
  });
  if (records.length !== state.txs.length) bad(`${records.length} transaction records for ${state.txs.length} sequenced transactions`);
  chain.restore({
    state,
    frontiers,
    followed,
    known,
    records,
    stage2Blocks: blocks,
    stage1: head1,
    stage2: head2,
    stage1Roots: parseArray(o["stage1Roots"], "snapshot.stage1Roots").map((r, i) => parseBytes(r, `snapshot.stage1Roots[${i}]`, 32)),
    orderDigest: parseBytes(o["orderDigest"], "snapshot.orderDigest", 32),
  });
  return { chain, slashings: parseArray(o["slashings"], "snapshot.slashings") as SlashingView[] };
}

/**
 * Checks a restored snapshot against the store (throws `BAD_SNAPSHOT` naming the mismatch): heads
 * within the stored chains, `stage1Roots` and the Stage-2 blocks' roots equal to the stored
 * finalized roots, the agreed state's head roots equal to the stored blocks', the snapshot a prefix
 * of the canonical import order of the stored chains and its order digest that prefix's.
 */
export function checkSnapshot(chain: NodeChain, store: NodeStore): void {
  const heads = store.getHeads();
  const [h1, h2] = [chain.stage1.height, chain.stage2.height];
  if (h1 > (heads.stage1?.number ?? 0) || h2 > (heads.stage2?.number ?? 0)) bad(`its heads (${h1}/${h2}) are past the stored chains'`);
  if (chain.stage1Roots.length !== h1 || chain.stage2Blocks.length !== h2) bad("its root lists do not match its heights");
  const same = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && bytesEqual(a, b);
  chain.stage1Roots.forEach((r, i) => {
    if (!same(store.getFinalizedRoot("stage1", i + 1), r)) bad(`its Stage-1 root at height ${i + 1} is not the stored finalized root`);
  });
  chain.stage2Blocks.forEach((b, i) => {
    if (!same(store.getFinalizedRoot("stage2", i + 1), b.root)) bad(`its Stage-2 block at height ${i + 1} is not the stored finalized block`);
  });
  const zero = new Uint8Array(32);
  if (!bytesEqual(chain.stage1.root, h1 === 0 ? zero : (chain.stage1Roots[h1 - 1] as Uint8Array)) || !bytesEqual(chain.state.stage1Root, chain.stage1.root)) bad("its Stage-1 head is not the stored block at its height");
  if (!bytesEqual(chain.stage2.root, h2 === 0 ? zero : (chain.stage2Blocks[h2 - 1] as SignedStage2Block).root) || !bytesEqual(chain.state.stage2Root, chain.stage2.root)) bad("its Stage-2 head is not the stored block at its height");
  if (chain.state.stage1Slot !== chain.stage1.slot || chain.state.stage2Slot !== chain.stage2.slot) bad("its state's head slots are not its heads'");
  // The canonical order of the stored chains must pass through the snapshot's point, with its digest.
  const s1 = store.getBlockRange("stage1", 1, (heads.stage1?.number ?? 0) + 1).map((b) => b.bytes);
  const s2 = store.getBlockRange("stage2", 1, Math.min(h2 + 1, heads.stage2?.number ?? 0) + 1).map((b) => b.bytes);
  const prefix = mergeChains(s1, s2).slice(0, h1 + h2);
  let digest: Uint8Array = new Uint8Array(32);
  for (const it of prefix) {
    if (it.height > (it.chain === "stage1" ? h1 : h2)) bad("it is not on the canonical import order of the stored chains (a later Stage-2 block goes before it)");
    const root = it.chain === "stage1" ? (chain.stage1Roots[it.height - 1] as Uint8Array) : (chain.stage2Blocks[it.height - 1] as SignedStage2Block).root;
    digest = sha256(digest, Uint8Array.of(it.chain === "stage1" ? 1 : 2), root);
  }
  if (!bytesEqual(digest, chain.orderDigest)) bad("its order digest is not that of the stored chains up to it");
}

/**
 * The chain restored from the store's snapshot and checked against the store, or undefined (no
 * snapshot, or one that does not check: `log` says why) — then the caller replays from genesis.
 */
export function restoreFromStore(store: NodeStore, genesis: DevnetGenesis, reorderWindow: number | undefined, log: (line: string) => void): RestoredSnapshot | undefined {
  const bytes = store.getSnapshot();
  if (bytes === undefined) return undefined;
  try {
    const restored = decodeSnapshot(bytes, genesis, store, reorderWindow);
    checkSnapshot(restored.chain, store);
    log(`snapshot at heights ${restored.chain.stage1.height}/${restored.chain.stage2.height} checked against the store: resuming from it`);
    return restored;
  } catch (e) {
    if (!isXshardError(e)) throw e;
    log(`snapshot refused (${e.code}: ${e.message}); replaying from genesis`);
    return undefined;
  }
}

/** When a node writes snapshots: at a quiescent point at least `every` blocks (both chains) after the last one. */
export class SnapshotPolicy {
  private last = -1;
  /** Snapshots written (diagnostics). */
  written = 0;

  constructor(readonly every = 16) {}

  /** The snapshot to write with the block just imported into `chain`, if one is due. */
  take(chain: NodeChain, slashings: readonly SlashingView[]): Uint8Array | undefined {
    const at = chain.stage1.height + chain.stage2.height;
    // A node following only some committees holds no state of the others' contracts to write (docs/node.md "Following").
    if (this.every <= 0 || chain.witnessCache || (this.last >= 0 && at - this.last < this.every) || !isQuiescent(chain)) return undefined;
    this.last = at;
    this.written++;
    return encodeSnapshot(chain, slashings);
  }

  /** `{snapshot}` to spread into the block's store batch when one is due, else `{}`. */
  field(chain: NodeChain, slashings: readonly SlashingView[]): { snapshot?: Uint8Array } {
    const snapshot = this.take(chain, slashings);
    return snapshot ? { snapshot } : {};
  }

  /** The chain was restored from a snapshot at `chain`'s heights. */
  restored(chain: NodeChain): void {
    this.last = chain.stage1.height + chain.stage2.height;
  }
}

/** What `resumeNode` needs of its node. */
export interface ResumeHost {
  chain: NodeChain;
  readonly o: { readonly store: NodeStore; readonly genesis: DevnetGenesis; readonly reorderWindow?: number };
  readonly evidence: { readonly slashings: SlashingView[] };
  readonly snapshots: SnapshotPolicy;
  log(line: string): void;
  resetToGenesis(): void;
}

/**
 * Resumes a node from its store: from the snapshot if one checks against the store, then the blocks
 * after it through the transitions (`replay`, the sync's replay of the store, which skips what the
 * chain holds); else — or if a block after the snapshot does not import — every stored block from
 * genesis.
 */
export function resumeNode(node: ResumeHost, replay: () => void): void {
  const restored = node.chain.witnessCache ? undefined : restoreFromStore(node.o.store, node.o.genesis, node.o.reorderWindow, (l) => node.log(l));
  if (restored) {
    node.chain = restored.chain;
    node.evidence.slashings.push(...restored.slashings);
    node.snapshots.restored(node.chain);
  }
  replay();
  const heads = node.o.store.getHeads();
  if (restored && (node.chain.stage1.height < (heads.stage1?.number ?? 0) || node.chain.stage2.height < (heads.stage2?.number ?? 0))) {
    node.log("a block after the snapshot did not import: replaying from genesis");
    node.resetToGenesis();
    node.evidence.slashings.length = 0;
    replay();
  }
}
