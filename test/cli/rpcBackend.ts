/**
 * A `NodeBackend` for the client tests, built from a REAL simulator run of `delayed:conditional`:
 * it accepts exactly the run's signed transactions (SSZ), and serves each one's status as the run
 * saw it, shifted to the slot it was submitted in — pending, then included, then final with the
 * run's outcome, the return values and the light-client proof the run produced. Its slots follow
 * wall time from `genesisTimeMs` in `slotMs` steps, and it announces its heads every slot, as a
 * node does. Hooks let a test forge what it serves.
 */
import type { FastifyInstance } from "fastify";
import { XshardError, isXshardError } from "../../src/errors.js";
import { resolveRunConfig, runProtocol } from "../../src/runner.js";
import { getWorkload, planWorkload } from "../../src/workloads/index.js";
import { computeTxId, decodeSignedTx } from "../../src/program/index.js";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { computeGenesisRoot } from "../../src/chain/index.js";
import { computeRunAnchor } from "../../src/cli/verify.js";
import type { ProtocolRunOutput, RunConfig } from "../../src/sim/protocol.js";
import type { GeneratedWorkload } from "../../src/workloads/types.js";
import { createApiServer, startApiServer, type HeadsView, type NodeBackend, type NodeConfigView, type PeerView, type SubmitInput, type TxStatusView } from "../../src/node/api/index.js";

/** The workload and configuration of the tests (the CLI flags that give the same). */
export const SIM_SEED = "1";
export const WORKLOAD_FLAGS = ["--workload", "transfer", "--slots", "3", "--rate", "5", "--accounts", "8"];
const WORKLOAD_PARAMS = { slots: "3", rate: "5", accounts: "8" };
const CONFIG = { protocol: "delayed:conditional", seed: SIM_SEED, validators: 12, committeeSize: 4, shards: 3, drainSlots: 12 };

export interface SimChain {
  readonly config: RunConfig;
  readonly workload: GeneratedWorkload;
  readonly out: ProtocolRunOutput;
}

/** The simulator run the backend serves (real BLS signatures, so that proofs are real). */
export function runSimChain(seed = SIM_SEED, params: Record<string, string> = WORKLOAD_PARAMS, signatures = true): SimChain {
  const config = resolveRunConfig({ ...CONFIG, seed, signatures });
  const workload = planWorkload(getWorkload("transfer"), params, seed).generate();
  return { config, workload, out: runProtocol(config, workload) };
}

export interface SimBackendOptions {
  readonly slotMs: number;
  /** Serve `/v1/config` (default true). */
  readonly serveConfig?: boolean;
  readonly peers?: readonly PeerView[];
}

export class SimBackend implements NodeBackend {
  readonly genesisTimeMs = Date.now();
  private readonly byId = new Map<string, number>();
  private readonly submittedAt = new Map<number, number>();
  private readonly listeners = new Set<(h: HeadsView) => void>();
  private readonly timer: NodeJS.Timeout;
  private readonly genesisRoot: string;
  /** Forgeries: what the proof route serves instead of the real proof, what the status route says. */
  forgeProof: ((proof: Record<string, unknown>) => unknown) | undefined;
  forgeStatus: ((status: TxStatusView) => TxStatusView) | undefined;
  readonly getConfig?: () => NodeConfigView;
  readonly getPeers?: () => readonly PeerView[];

  constructor(readonly chain: SimChain, private readonly opts: SimBackendOptions) {
    chain.workload.submissions.forEach((s) => this.byId.set(toHex(computeTxId(s.tx)), s.index));
    this.genesisRoot = "0x" + toHex(computeGenesisRoot(computeRunAnchor(chain.config, chain.workload)));
    this.timer = setInterval(() => this.emit(), opts.slotMs);
    const peers = opts.peers;
    if (peers !== undefined) this.getPeers = () => peers;
    if (opts.serveConfig !== false) {
      this.getConfig = () => ({
        genesisRoot: this.genesisRoot,
        genesisTimeMs: this.genesisTimeMs,
        slotMs: this.opts.slotMs,
        protocol: "delayed:conditional",
        validators: chain.config.validators,
        committees: chain.config.shards,
        committeeSize: chain.config.committeeSize,
      });
    }
  }

  /** The slot in which the backend accepted transaction `index`. */
  acceptedSlotOf(index: number): number | undefined {
    return this.submittedAt.get(index);
  }

  get slot(): number {
    return Math.floor((Date.now() - this.genesisTimeMs) / this.opts.slotMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async submitTransaction(input: SubmitInput): Promise<{ id: string }> {
    if (input.kind !== "ssz") throw new XshardError("TX_MALFORMED", "this node takes SSZ bytes", {});
    let id: string;
    try {
      id = toHex(computeTxId(decodeSignedTx(input.bytes)));
    } catch (e) {
      throw isXshardError(e) ? new XshardError("TX_MALFORMED", e.message, {}) : e;
    }
    const index = this.byId.get(id);
    if (index === undefined) throw new XshardError("TX_UNKNOWN_SENDER", "the sender has no account in this genesis", {});
    if (this.submittedAt.has(index)) throw new XshardError("TX_DUPLICATE", "already submitted", {});
    const r = this.chain.out.results.txs[index];
    if (r?.outcome === "rejected") throw new XshardError("TX_REJECTED", r.reason ?? "rejected", {});
    this.submittedAt.set(index, this.slot);
    return { id: "0x" + id };
  }

  private proofOf(index: number): Record<string, unknown> | undefined {
    const p = this.chain.out.proveTx?.(index);
    return p === undefined ? undefined : (JSON.parse(JSON.stringify(p)) as Record<string, unknown>);
  }

  getTransactionStatus(idBytes: Uint8Array): TxStatusView | undefined {
    const id = toHex(idBytes);
    const index = this.byId.get(id);
    const at = index === undefined ? undefined : this.submittedAt.get(index);
    if (index === undefined || at === undefined) return undefined;
    const r = this.chain.out.results.txs[index];
    if (r === undefined) return undefined;
    const now = this.slot;
    const included = r.includedSlot === null ? undefined : at + r.includedSlot - r.submittedSlot;
    const final = r.finalSlot === null ? undefined : at + r.finalSlot - r.submittedSlot;
    let s: TxStatusView = { id: "0x" + id, status: "pending" };
    if (final !== undefined && now >= final) {
      const proof = this.proofOf(index);
      const values = proof?.values as (string | null)[] | undefined;
      s = {
        id: "0x" + id,
        status: "final",
        ...(included !== undefined ? { includedSlot: included } : {}),
        finalSlot: final,
        outcome: r.outcome,
        ...(values ? { returnValues: values.map((v) => (v === null ? null : "0x" + v)) } : {}),
        ...(r.reason !== null ? { reason: r.reason } : {}),
      };
    } else if (included !== undefined && now >= included) {
      s = { id: "0x" + id, status: "included", includedSlot: included };
    }
    return this.forgeStatus ? this.forgeStatus(s) : s;
  }

  getTransactionProof(idBytes: Uint8Array): object | undefined {
    const status = this.getTransactionStatus(idBytes);
    const index = this.byId.get(toHex(idBytes));
    if (status?.status !== "final" || index === undefined) return undefined;
    const proof = this.proofOf(index);
    if (proof === undefined) return undefined;
    return (this.forgeProof ? this.forgeProof(proof) : proof) as object;
  }

  getHeads(): HeadsView {
    const s = this.slot;
    const h = (chain: string, n: number) => ({ number: Math.max(0, n), slot: Math.max(0, n), root: "0x" + toHex(sha256(chain, String(n))) });
    const contracts = this.chain.workload.genesis.contracts.map((c) => c.id).sort();
    return { stage1: h("s1", s), stage2: h("s2", s - 1), stage1Finalized: h("s1", s), stage2Finalized: h("s2", s - 1), lagByContract: Object.fromEntries(contracts.map((c, i) => [c, 1 + (i % 2)])) };
  }

  onHeads(listener: (h: HeadsView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const h = this.getHeads();
    for (const l of this.listeners) l(h);
  }

}

/** The API over a backend, listening on a free loopback port; returns the base URL and a stop function. */
export async function serveBackend(backend: NodeBackend): Promise<{ url: string; app: FastifyInstance; close: () => Promise<void> }> {
  const app = await createApiServer({ backend });
  const url = await startApiServer(app);
  return { url, app, close: () => app.close() };
}
