/**
 * The node's `NodeBackend` (the HTTP API's view of it): submit (checked, queued in the mempool and
 * gossiped on the transaction topic), status, the `xshard.txproof` light-client proof of a final
 * transaction, heads with the lag per contract, head events, configuration and peers.
 */
import { fromHex, toHex } from "../crypto/hash.js";
import { XshardError } from "../errors.js";
import { decodeSignedTx, encodeSignedTx, programFromJson, type SignedTx } from "../program/index.js";
import { getContract, getLogItem, getTx, getAffirmedIdx, RESULTS_CONTRACT } from "../protocols/delayed/state.js";
import type { HeadsView, NodeBackend, NodeConfigView, StateProofView, SubmitInput, SubmitResult, TxStatusView } from "./api/backend.js";
import type { SlashingView } from "./evidence.js";
import type { XshardNode } from "./node.js";
import { computeTxStatusView } from "./results.js";
import { buildStateProof, createNodeOutcomeProof } from "./stateProof.js";

function bad(message: string, field: string): never {
  throw new XshardError("TX_MALFORMED", message, { field });
}

function hexField(o: Record<string, unknown>, field: string, bytes: number): Uint8Array {
  const v = o[field];
  if (typeof v !== "string" || !/^(0x)?[0-9a-fA-F]*$/.test(v)) bad(`${field} must be a hex string`, field);
  const b = fromHex(v as string);
  if (b.length !== bytes) bad(`${field} must be ${bytes} bytes`, field);
  return b;
}

function uintField(o: Record<string, unknown>, field: string): bigint {
  const v = o[field];
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^[0-9]{1,20}$/.test(v)) return BigInt(v);
  return bad(`${field} must be a whole number (or a decimal string)`, field);
}

/**
 * The JSON form of a signed transaction: `{sender, nonce, maxFeePerGas, gasLimit, program, pubkey,
 * signature}` — hex bytes (0x optional), numbers or decimal strings, `program` in the program JSON
 * form (`programFromJson`).
 */
export function signedTxFromJson(value: unknown): SignedTx {
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad("tx must be an object", "tx");
  const o = value as Record<string, unknown>;
  const allowed = ["sender", "nonce", "maxFeePerGas", "gasLimit", "program", "pubkey", "signature"];
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`unknown field ${k.slice(0, 40)}`, k.slice(0, 40));
  const tx = { sender: hexField(o, "sender", 32), nonce: uintField(o, "nonce"), maxFeePerGas: uintField(o, "maxFeePerGas"), gasLimit: uintField(o, "gasLimit"), program: programFromJson(o.program) };
  return { tx, pubkey: hexField(o, "pubkey", 32), signature: hexField(o, "signature", 64) };
}

export class NodeApiBackend implements NodeBackend {
  constructor(private readonly node: XshardNode) {}

  async submitTransaction(input: SubmitInput): Promise<SubmitResult> {
    const stx = input.kind === "ssz" ? decodeSignedTx(input.bytes) : signedTxFromJson(input.value);
    // Round trip: the JSON form must encode (bounds of the program) before it is gossiped.
    const bytes = encodeSignedTx(stx);
    const id = this.node.addTransaction(stx);
    this.node.o.network.publish(this.node.topic("transaction"), bytes).catch(() => {});
    return { id: `0x${id}` };
  }

  getTransactionStatus(id: Uint8Array): TxStatusView | undefined {
    const hex = toHex(id);
    const rec = this.node.chain.byId.get(hex);
    if (rec) return computeTxStatusView(rec);
    if (this.node.mempool.has(hex)) return { id: `0x${hex}`, status: "pending" };
    return undefined;
  }

  getTransactionProof(id: Uint8Array): object | undefined {
    const chain = this.node.chain;
    const rec = chain.byId.get(toHex(id));
    if (!rec || rec.finalSlot === undefined || !rec.result) return undefined;
    const [contract, loc] = [...rec.affirmedIn][0] ?? [];
    if (contract === undefined || !loc) return undefined;
    const pos = getTx(chain.state, rec.seq).positions.get(contract) as number;
    return createNodeOutcomeProof(chain, rec.seq, rec.txId, contract, loc, rec.result, getLogItem(getContract(chain.state, contract).chainRoots, pos + 1));
  }

  getHeads(): HeadsView {
    const c = this.node.chain;
    const s1 = { number: c.stage1.height, slot: Math.max(0, c.stage1.slot), root: `0x${toHex(c.stage1.root)}` };
    const s2 = { number: c.stage2.height, slot: Math.max(0, c.stage2.slot), root: `0x${toHex(c.stage2.root)}` };
    const lag: Record<string, number> = {};
    for (const r of c.state.contracts.values()) {
      if (r.dropped || r.id === RESULTS_CONTRACT) continue;
      const at = getAffirmedIdx(r);
      // Slots between the Stage-1 head and the newest transaction of the contract affirmed so far.
      const newest = at > 0 ? getTx(c.state, getLogItem(r.queue, at - 1)).stage1Slot : -1;
      const pending = r.queue.length > at;
      lag[r.id] = pending ? Math.max(0, c.stage1.slot - Math.max(newest, 0)) : 0;
    }
    return { stage1: s1, stage2: s2, stage1Finalized: s1, stage2Finalized: s2, lagByContract: lag };
  }

  onHeads(listener: (heads: HeadsView) => void): () => void {
    return this.node.onHeads(() => listener(this.getHeads()));
  }

  getConfig(): NodeConfigView {
    const g = this.node.o.genesis;
    return {
      genesisRoot: `0x${toHex(this.node.chain.state.genesisRoot)}`,
      genesisTimeMs: g.genesisTimeMs,
      slotMs: g.slotMs,
      protocol: g.stage2Mode === "strict" ? "delayed:strict" : "delayed:conditional",
      validators: g.validators,
      committees: g.committees,
      committeeSize: g.committeeSize,
      stage2PerSlot: this.node.chain.state.params.stage2PerSlot,
      blockTxLimit: g.blockTxLimit,
      seed: g.seed,
    };
  }

  /** Validators slashed by evidence in imported Stage-2 blocks (`GET /v1/slashings`). */
  getSlashings(): { slashings: readonly SlashingView[] } {
    return { slashings: this.node.evidence.slashings };
  }

  /** Keys of a contract's latest affirmed state with their witness and the proof of its root (`GET /v1/state/:contract`). */
  getState(contract: string, keys: readonly Uint8Array[]): Promise<StateProofView> {
    return buildStateProof(() => this.node.chain, this.node.witnesses, contract, keys);
  }

  getPeers(): { id: string }[] {
    return this.node.o.network.getPeers().map((id) => ({ id }));
  }
}
