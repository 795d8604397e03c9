/**
 * Resuming and catching up. On start the node replays its store: every stored block of both
 * chains, in the canonical order (`order.ts`: a Stage-2 block right after the Stage-1 height it was
 * built on), goes through the verifying transitions again — the store is not trusted more than a
 * peer. Then, and
 * whenever a gossiped block does not extend its head, it asks its peers' `status`, fetches the
 * missing blocks with `stage1_blocks_by_range` / `stage2_blocks_by_range` from the peer that is
 * furthest ahead and imports them the same way. It serves those protocols from its store.
 */
import { bytesEqual } from "../crypto/hash.js";
import { XshardError, isXshardError } from "../errors.js";
import { Stage1Header } from "../protocols/delayed/containers.js";
import type { SignedStage1Block } from "../protocols/delayed/stage1.js";
import { computeProtocolId, DEFAULT_REQRESP_LIMITS, type ReqRespName } from "./net/reqresp.js";
import type { Network, PeerIdStr } from "./net/types.js";
import type { NodeChain } from "./chain.js";
import type { NodeStore } from "./store/store.js";
import type { NodeMetrics } from "./api/metrics.js";
import { mergeChains, type OrderItem } from "./order.js";
import type { ChainName } from "./store/buckets.js";
import { BlockList, decodeStage1Block, MAX_RANGE, RangeRequest, StatusWire, type Stage2BlockValue, type StatusValue } from "./wire.js";

/** How long a catch-up waits for the other peers' status once one peer has answered. */
const STATUS_GRACE_MS = 500;

/** What the catch-up needs of its node (the node implements it). */
export interface SyncHost {
  readonly chain: NodeChain;
  readonly netId: string;
  readonly o: { readonly network: Network; readonly store: NodeStore; readonly metrics?: NodeMetrics };
  log(line: string): void;
  importStage1(block: SignedStage1Block, bytes?: Uint8Array): unknown;
  importStage2(block: Stage2BlockValue, bytes: Uint8Array): unknown;
  resetToGenesis(): void;
}

/**
 * The fork choice between two chains: more Stage-1 blocks, then more Stage-2 blocks, then the lower
 * Stage-1 head root (so that two nodes on equal forks pick the same one).
 */
export function isBetter(a: StatusValue, b: StatusValue): boolean {
  if (a.stage1Height !== b.stage1Height) return a.stage1Height > b.stage1Height;
  if (!bytesEqual(a.stage1Root, b.stage1Root)) return Buffer.compare(a.stage1Root, b.stage1Root) < 0;
  return a.stage2Height > b.stage2Height;
}

/**
 * How many of `old` (roots by height) a rebuild replaced by other blocks in `now`, from the first
 * height where they differ up to the shorter chain's end. Blocks past the new chain's end are not
 * counted (not contradicted yet: a better Stage-1 chain may hold fewer Stage-2 blocks so far).
 */
export function countDropped(old: readonly Uint8Array[], now: readonly Uint8Array[]): number {
  const n = Math.min(old.length, now.length);
  let i = 0;
  while (i < n && bytesEqual(old[i] as Uint8Array, now[i] as Uint8Array)) i++;
  return n - i;
}

export class NodeSync {
  /** A catch-up was asked for (a block that does not extend our head, or the start). */
  pending = true;
  running = false;
  /**
   * Final blocks a rebuild dropped, per chain: 0 while < 1/3 of every committee lies and no
   * attester took the skip escape (docs/node.md "Finality under forks"); logged loudly.
   */
  readonly finalReverts = { stage1: 0, stage2: 0 };

  constructor(private readonly node: SyncHost) {}

  private protocol(name: ReqRespName): string {
    return computeProtocolId(this.node.netId, name);
  }

  /** Imports `items` in order; stops at the first that fails (logged). Returns how many were imported and the first failure's code. */
  private importAll(items: readonly OrderItem[], from: string): { n: number; failed?: string } {
    let n = 0;
    for (const it of items) {
      const c = this.node.chain;
      try {
        if (it.chain === "stage1") {
          if (it.slot <= c.stage1.slot) continue;
          this.node.importStage1(it.block, it.bytes);
        } else {
          if (it.slot <= c.stage2.slot) continue;
          this.node.importStage2(it.block, it.bytes);
        }
        n++;
      } catch (e) {
        if (!isXshardError(e)) throw e;
        this.node.log(`${from}: ${it.chain} block of slot ${it.slot} refused: ${e.code} ${e.message}`);
        return { n, failed: e.code };
      }
    }
    return { n };
  }

  /** Replays the store from genesis through the transitions. */
  resumeFromStore(): void {
    const store = this.node.o.store;
    const heads = store.getHeads();
    const s1 = store.getBlockRange("stage1", 1, (heads.stage1?.number ?? 0) + 1).map((b) => b.bytes);
    const s2 = store.getBlockRange("stage2", 1, (heads.stage2?.number ?? 0) + 1).map((b) => b.bytes);
    if (s1.length + s2.length === 0) return;
    // Replaying re-imports into the store the blocks it holds: same numbers, same bytes.
    const { n } = this.importAll(mergeChains(s1, s2), "store");
    this.node.log(`resumed from the store: ${n} blocks (stage1 ${this.node.chain.stage1.height}, stage2 ${this.node.chain.stage2.height})`);
  }

  getStatus(): StatusValue {
    const c = this.node.chain;
    return { stage1Height: c.stage1.height, stage2Height: c.stage2.height, stage1Root: c.stage1.root, stage2Root: c.stage2.root, headSlot: Math.max(0, c.stage1.slot, c.stage2.slot) };
  }

  /** Serves `status` and the by-range protocols from the store. */
  async serve(): Promise<void> {
    const net = this.node.o.network;
    await net.handle(this.protocol("status"), () => StatusWire.serialize(this.getStatus()), DEFAULT_REQRESP_LIMITS.status);
    for (const chain of ["stage1", "stage2"] as const) {
      const name = chain === "stage1" ? "stage1_blocks_by_range" : "stage2_blocks_by_range";
      await net.handle(this.protocol(name), (req) => this.serveRange(chain, req), DEFAULT_REQRESP_LIMITS[name]);
    }
  }

  private serveRange(chain: ChainName, req: Uint8Array): Uint8Array {
    let r: { from: number; count: number };
    try {
      r = RangeRequest.deserialize(req);
    } catch {
      throw new XshardError("BAD_RANGE", "malformed range request", {});
    }
    if (r.from < 1 || r.count < 1 || r.count > MAX_RANGE) throw new XshardError("BAD_RANGE", `range must start at 1 or later and hold 1–${MAX_RANGE} blocks`, { from: r.from, count: r.count });
    return BlockList.serialize(this.node.o.store.getBlockRange(chain, r.from, r.from + r.count).map((b) => b.bytes));
  }

  request(reason: string): void {
    if (!this.pending && !this.running) this.node.log(`catch-up requested: ${reason}`);
    this.pending = true;
  }

  private async fetch(peer: PeerIdStr, chain: ChainName, from: number, to: number): Promise<Uint8Array[]> {
    const name = chain === "stage1" ? "stage1_blocks_by_range" : "stage2_blocks_by_range";
    const out: Uint8Array[] = [];
    for (let at = from; at <= to; at += MAX_RANGE) {
      const count = Math.min(MAX_RANGE, to - at + 1);
      const res = await this.node.o.network.request(peer, this.protocol(name), RangeRequest.serialize({ from: at, count }), DEFAULT_REQRESP_LIMITS[name]);
      const list = BlockList.deserialize(res);
      out.push(...list);
      if (list.length < count) break;
    }
    return out;
  }

  /** Our chain and the better one part before our head: start again from genesis on theirs. */
  private async rebuild(peer: PeerIdStr, status: StatusValue): Promise<void> {
    this.node.log(`our chain forked from ${peer}'s (Stage-1 height ${status.stage1Height}); rebuilding from genesis`);
    const all1 = await this.fetch(peer, "stage1", 1, status.stage1Height);
    const all2 = await this.fetch(peer, "stage2", 1, status.stage2Height);
    const old = this.node.chain;
    const [old1, old2] = [old.stage1Roots.slice(), old.stage2Blocks.map((b) => b.root)];
    this.node.resetToGenesis();
    this.importAll(mergeChains(all1, all2), `peer ${peer}`);
    const now = this.node.chain;
    this.node.log(`rebuilt from ${peer} (stage1 ${now.stage1.height}, stage2 ${now.stage2.height})`);
    const lost = { stage1: countDropped(old1, now.stage1Roots), stage2: countDropped(old2, now.stage2Blocks.map((b) => b.root)) };
    if (lost.stage1 + lost.stage2 === 0) return;
    this.finalReverts.stage1 += lost.stage1;
    this.finalReverts.stage2 += lost.stage2;
    for (const chain of ["stage1", "stage2"] as const) this.node.o.metrics?.finalReverted.inc({ chain }, lost[chain]);
    this.node.log(`FINALITY VIOLATION: the rebuild from ${peer} dropped ${lost.stage1} final Stage-1 and ${lost.stage2} final Stage-2 blocks (≥ 1/3 of a committee lied, or an attester took the skip escape)`);
  }

  /**
   * Every peer's status, asked at once (answers in the order of `getPeers`). Waits for all, but at
   * most `STATUS_GRACE_MS` after the first answer: a peer whose link is cut keeps its connection
   * until TCP gives up, and waiting out its request timeout would hold the catch-up — during which
   * the node has no duties and ignores gossip — for seconds at every catch-up.
   */
  private async askStatuses(): Promise<{ peer: PeerIdStr; status: StatusValue }[]> {
    const net = this.node.o.network;
    const peers = net.getPeers();
    const answers: { peer: PeerIdStr; status: StatusValue }[] = [];
    await new Promise<void>((resolve) => {
      let left = peers.length;
      let grace: ReturnType<typeof setTimeout> | undefined;
      const finish = (): void => {
        clearTimeout(grace);
        resolve();
      };
      if (left === 0) return finish();
      for (const peer of peers) {
        net
          .request(peer, this.protocol("status"), new Uint8Array(0), DEFAULT_REQRESP_LIMITS.status, { timeoutMs: 3000 })
          .then((bytes) => {
            answers.push({ peer, status: StatusWire.deserialize(bytes) });
            grace ??= setTimeout(finish, STATUS_GRACE_MS);
          })
          .catch((e: unknown) => this.node.log(`status from ${peer}: ${(e as Error).message}`))
          .finally(() => {
            if (--left === 0) finish();
          });
      }
    });
    return answers.slice().sort((a, b) => peers.indexOf(a.peer) - peers.indexOf(b.peer));
  }

  /** Catches up from the peer furthest ahead (by both heights); one pass. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.pending = false;
    try {
      let best: { peer: PeerIdStr; status: StatusValue } | undefined;
      for (const a of await this.askStatuses()) if (!best || isBetter(a.status, best.status)) best = a;
      if (!best || !isBetter(best.status, this.getStatus())) return;
      const c = this.node.chain;
      const from1 = c.stage1.height;
      if (from1 > 0) {
        // Is our head on their chain? (Else: a fork, settled by starting again on theirs.)
        const [theirs] = await this.fetch(best.peer, "stage1", from1, from1);
        if (!theirs || !bytesEqual(Stage1Header.hashTreeRoot(decodeStage1Block(theirs).header), c.stage1.root)) return await this.rebuild(best.peer, best.status);
      }
      const s1 = await this.fetch(best.peer, "stage1", from1 + 1, best.status.stage1Height);
      const s2 = await this.fetch(best.peer, "stage2", c.stage2.height + 1, best.status.stage2Height);
      const r = this.importAll(mergeChains(s1, s2, from1 + 1, c.stage2.height + 1), `peer ${best.peer}`);
      if (r.n === 0 && (r.failed === "BAD_PARENT" || r.failed === "BAD_SEQUENCE")) return await this.rebuild(best.peer, best.status);
      const now = this.node.chain;
      this.node.log(`caught up from ${best.peer} (stage1 ${now.stage1.height}, stage2 ${now.stage2.height})`);
    } catch (e) {
      this.node.log(`catch-up failed: ${(e as Error).message}`);
      this.pending = true;
    } finally {
      this.running = false;
    }
  }
}
