/**
 * Readable JSON forms of the receipts spec's state and blocks for the transition vectors
 * (test/vectors/receipts/): compact JSON, bytes as 0x-hex, amounts as decimal strings, receipts
 * and transactions as their canonical SSZ bytes. Parsing is strict: an unknown or missing field is
 * an error, so a malformed vector fails.
 */
import { fromHex, toHex } from "../../src/crypto/hash.js";
import { decodeSignedTx, encodeSignedTx } from "../../src/program/index.js";
import { MerkleKV } from "../../src/state/index.js";
import { Receipt, ShardHeader, type ReceiptValue, type ShardHeaderValue } from "../../src/protocols/receipts/containers.js";
import type { BlockItem } from "../../src/protocols/receipts/items.js";
import type { SignedShardBlock } from "../../src/protocols/receipts/shardBlock.js";
import type { SignedBeaconBlock } from "../../src/protocols/receipts/beaconBlock.js";
import type { ContractRecord, ReceiptsState, ShardState } from "../../src/protocols/receipts/state.js";
import { ZERO_CONGESTION } from "../../src/protocols/receipts/congestion.js";

type J = Record<string, unknown>;

const hex = (b: Uint8Array): string => `0x${toHex(b)}`;
function bytes(x: unknown, what: string): Uint8Array {
  if (typeof x !== "string" || !/^0x([0-9a-f]{2})*$/.test(x)) throw new Error(`${what}: expected 0x-hex bytes`);
  return fromHex(x.slice(2));
}
function int(x: unknown, what: string): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x)) throw new Error(`${what}: expected an integer`);
  return x;
}
function big(x: unknown, what: string): bigint {
  if (typeof x !== "string" || !/^-?\d+$/.test(x)) throw new Error(`${what}: expected a decimal string`);
  return BigInt(x);
}
function arr(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x)) throw new Error(`${what}: expected an array`);
  return x;
}
/** The object's fields, exactly `keys` (no more, no fewer). */
export function fields(x: unknown, keys: readonly string[], what: string): J {
  if (typeof x !== "object" || x === null || Array.isArray(x)) throw new Error(`${what}: expected an object`);
  const o = x as J;
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  const missing = keys.filter((k) => !(k in o));
  if (extra.length > 0 || missing.length > 0) throw new Error(`${what}: unknown fields [${extra.join(", ")}], missing [${missing.join(", ")}]`);
  return o;
}

// ---------------------------------------------------------------- state

export function stateToJson(s: ReceiptsState): J {
  return {
    beacon: { slot: s.beacon.slot, parentRoot: hex(s.beacon.parentRoot), crosslinks: [...s.beacon.crosslinks].map(([slot, c]) => [slot, hex(c.root), c.count]) },
    pendingHeaders: s.pendingHeaders.map((h) => ({ root: hex(h.root), shard: h.shard, slot: h.slot, receiptIds: [...h.receiptIds] })),
    outbox: [...s.outbox].map(([id, r]) => [id, hex(r.root), r.destShard, r.crosslinkedAt]),
    ledger: {
      balances: [...s.ledger.balances].sort(([a], [b]) => (a < b ? -1 : 1)).map(([a, v]) => [a, String(v)]),
      nonces: [...s.ledger.nonces].sort(([a], [b]) => (a < b ? -1 : 1)).map(([a, n]) => [a, String(n)]),
    },
    escrow: String(s.escrow),
    contracts: [...s.contracts].map(([id, c]) => ({ id, shard: c.shard, codeHash: c.codeHash, ended: c.ended, entries: [...c.kv.entries()].map(([k, v]) => [hex(k), hex(v)]) })),
    shards: s.shards.map((x) => ({
      index: x.index,
      lastSlot: x.lastSlot,
      parentRoot: hex(x.parentRoot),
      baseFee: String(x.baseFee),
      contracts: [...x.contracts],
      claims: [...x.claims.claimed].map(([k, b]) => [k, hex(b)]),
      inbound: [...x.inbound],
      outbound: [...x.outbound],
    })),
  };
}

export function stateFromJson(x: unknown): ReceiptsState {
  const o = fields(x, ["beacon", "pendingHeaders", "outbox", "ledger", "escrow", "contracts", "shards"], "state");
  const b = fields(o.beacon, ["slot", "parentRoot", "crosslinks"], "state.beacon");
  const ledger = fields(o.ledger, ["balances", "nonces"], "state.ledger");
  const contracts = new Map<string, ContractRecord>();
  for (const [i, c] of arr(o.contracts, "state.contracts").entries()) {
    const f = fields(c, ["id", "shard", "codeHash", "ended", "entries"], `state.contracts[${i}]`);
    const entries = arr(f.entries, "entries").map((e) => {
      const [k, v] = arr(e, "entry");
      return [bytes(k, "key"), bytes(v, "value")] as const;
    });
    contracts.set(String(f.id), { shard: int(f.shard, "shard"), codeHash: String(f.codeHash), ended: f.ended === true, kv: MerkleKV.fromEntries(entries) });
  }
  const shards: ShardState[] = arr(o.shards, "state.shards").map((s, i) => {
    const f = fields(s, ["index", "lastSlot", "parentRoot", "baseFee", "contracts", "claims", "inbound", "outbound"], `state.shards[${i}]`);
    const index = int(f.index, "index");
    return {
      index,
      lastSlot: int(f.lastSlot, "lastSlot"),
      parentRoot: bytes(f.parentRoot, "parentRoot"),
      baseFee: big(f.baseFee, "baseFee"),
      contracts: arr(f.contracts, "contracts").map(String),
      claims: { shard: index, claimed: new Map(arr(f.claims, "claims").map((e) => [String(arr(e, "claim")[0]), bytes(arr(e, "claim")[1], "bits")])) },
      inbound: new Map(arr(f.inbound, "inbound").map((e) => [int(arr(e, "inbound")[0], "source"), int(arr(e, "inbound")[1], "nonce")])),
      outbound: arr(f.outbound, "outbound").map((n) => int(n, "outbound")),
      // Congestion control is off in the vectors: its fields start empty.
      buffer: [],
    };
  });
  return {
    beacon: {
      slot: int(b.slot, "beacon.slot"),
      parentRoot: bytes(b.parentRoot, "beacon.parentRoot"),
      crosslinks: new Map(arr(b.crosslinks, "crosslinks").map((e) => {
        const [slot, root, count] = arr(e, "crosslink");
        return [int(slot, "slot"), { root: bytes(root, "root"), count: int(count, "count") }];
      })),
    },
    pendingHeaders: arr(o.pendingHeaders, "pendingHeaders").map((h, i) => {
      const f = fields(h, ["root", "shard", "slot", "receiptIds"], `pendingHeaders[${i}]`);
      return { root: bytes(f.root, "root"), shard: int(f.shard, "shard"), slot: int(f.slot, "slot"), receiptIds: arr(f.receiptIds, "receiptIds").map(String) };
    }),
    outbox: new Map(arr(o.outbox, "outbox").map((e) => {
      const [id, root, dest, at] = arr(e, "outbox entry");
      return [String(id), { root: bytes(root, "root"), destShard: int(dest, "destShard"), crosslinkedAt: at === null ? null : int(at, "crosslinkedAt") }];
    })),
    ledger: {
      balances: new Map(arr(ledger.balances, "balances").map((e) => [String(arr(e, "balance")[0]), big(arr(e, "balance")[1], "balance")])),
      nonces: new Map(arr(ledger.nonces, "nonces").map((e) => [String(arr(e, "nonce")[0]), big(arr(e, "nonce")[1], "nonce")])),
    },
    escrow: big(o.escrow, "escrow"),
    contracts,
    shards,
    incoming: shards.map(() => ({ gas: 0n, receipts: 0 })),
    congestion: shards.map(() => ZERO_CONGESTION),
    congestionSlot: shards.map(() => -1),
  };
}

// ---------------------------------------------------------------- blocks

function headerToJson(h: ShardHeaderValue): J {
  return { ...h, parentRoot: hex(h.parentRoot), stateRoot: hex(h.stateRoot), receiptsRoot: hex(h.receiptsRoot), gasUsed: String(h.gasUsed), baseFee: String(h.baseFee) };
}
function headerFromJson(x: unknown): ShardHeaderValue {
  const f = fields(x, ["shard", "slot", "proposer", "parentRoot", "stateRoot", "receiptsRoot", "receiptCount", "gasUsed", "baseFee"], "header");
  return {
    shard: int(f.shard, "shard"),
    slot: int(f.slot, "slot"),
    proposer: int(f.proposer, "proposer"),
    parentRoot: bytes(f.parentRoot, "parentRoot"),
    stateRoot: bytes(f.stateRoot, "stateRoot"),
    receiptsRoot: bytes(f.receiptsRoot, "receiptsRoot"),
    receiptCount: int(f.receiptCount, "receiptCount"),
    gasUsed: big(f.gasUsed, "gasUsed"),
    baseFee: big(f.baseFee, "baseFee"),
  };
}
const receiptToHex = (r: ReceiptValue): string => hex(Receipt.serialize(r));
const receiptFromHex = (x: unknown): ReceiptValue => Receipt.deserialize(bytes(x, "receipt")) as ReceiptValue;

function itemToJson(item: BlockItem): J {
  if (item.kind === "tx") return { kind: "tx", tx: hex(encodeSignedTx(item.tx)) };
  if (item.kind === "receipt") return { kind: "receipt", receipt: receiptToHex(item.receipt) };
  const c = item.claim;
  return {
    kind: "claim",
    receipt: receiptToHex(c.receipt),
    receiptBranch: c.receiptBranch.map(hex),
    header: hex(ShardHeader.serialize(c.header)),
    headerBranch: c.headerBranch.map(hex),
    beaconSlot: c.beaconSlot,
    crosslinkIndex: c.crosslinkIndex,
  };
}
function itemFromJson(x: unknown, i: number): BlockItem {
  const kind = (x as J | null)?.kind;
  if (kind === "tx") return { kind, tx: decodeSignedTx(bytes(fields(x, ["kind", "tx"], `items[${i}]`).tx, "tx")) };
  if (kind === "receipt") return { kind, receipt: receiptFromHex(fields(x, ["kind", "receipt"], `items[${i}]`).receipt) };
  if (kind !== "claim") throw new Error(`items[${i}]: unknown kind '${String(kind)}'`);
  const f = fields(x, ["kind", "receipt", "receiptBranch", "header", "headerBranch", "beaconSlot", "crosslinkIndex"], `items[${i}]`);
  return {
    kind,
    claim: {
      receipt: receiptFromHex(f.receipt),
      receiptBranch: arr(f.receiptBranch, "receiptBranch").map((b) => bytes(b, "branch")),
      header: ShardHeader.deserialize(bytes(f.header, "header")) as ShardHeaderValue,
      headerBranch: arr(f.headerBranch, "headerBranch").map((b) => bytes(b, "branch")),
      beaconSlot: int(f.beaconSlot, "beaconSlot"),
      crosslinkIndex: int(f.crosslinkIndex, "crosslinkIndex"),
    },
  };
}
function attestationToJson(a: { signers: readonly number[]; signature: Uint8Array }): J {
  return { signers: [...a.signers], signature: hex(a.signature) };
}
function attestationFromJson(x: unknown): { signers: number[]; signature: Uint8Array } {
  const f = fields(x, ["signers", "signature"], "attestation");
  return { signers: arr(f.signers, "signers").map((n) => int(n, "signer")), signature: bytes(f.signature, "signature") };
}

export function shardBlockToJson(b: SignedShardBlock): J {
  return { header: headerToJson(b.header), items: b.items.map(itemToJson), attestation: attestationToJson(b.attestation) };
}
export function shardBlockFromJson(x: unknown): SignedShardBlock {
  const f = fields(x, ["header", "items", "attestation"], "shard block");
  return { header: headerFromJson(f.header), items: arr(f.items, "items").map(itemFromJson), attestation: attestationFromJson(f.attestation) };
}

export function beaconBlockToJson(b: SignedBeaconBlock): J {
  const k = b.block;
  return { block: { slot: k.slot, parentRoot: hex(k.parentRoot), crosslinksRoot: hex(k.crosslinksRoot), crosslinkCount: k.crosslinkCount }, crosslinks: b.crosslinks.map(hex), attestation: attestationToJson(b.attestation) };
}
export function beaconBlockFromJson(x: unknown): SignedBeaconBlock {
  const f = fields(x, ["block", "crosslinks", "attestation"], "beacon block");
  const k = fields(f.block, ["slot", "parentRoot", "crosslinksRoot", "crosslinkCount"], "beacon block.block");
  return {
    block: { slot: int(k.slot, "slot"), parentRoot: bytes(k.parentRoot, "parentRoot"), crosslinksRoot: bytes(k.crosslinksRoot, "crosslinksRoot"), crosslinkCount: int(k.crosslinkCount, "crosslinkCount") },
    crosslinks: arr(f.crosslinks, "crosslinks").map((c) => bytes(c, "crosslink")),
    attestation: attestationFromJson(f.attestation),
  };
}
