/**
 * Nodes that follow only their validators' committees (issue 13; docs/node.md "Following"). Four
 * in-process nodes on the memory network, one manual clock, 16 validators in 8 committees of 2:
 * committee `k`'s members sit on nodes `k mod 4` and `k + 1 mod 4` (`dealValidators`), so each node
 * follows 4 committees and reads the other 4's contracts through Merkle witnesses fetched from
 * peers. The `transfer` workload with cross-contract transfers: a committee's transaction reads a
 * token contract another committee follows.
 *
 * Every transaction must end final on every node with the same outcome and values, the same
 * affirmed roots, and the roots and results of the simulator's replay of the Stage-1 blocks
 * (`replay.ts`, as the devnet test checks); a non-followed contract's frontier holds no state; the
 * nodes really fetched witnesses; a light-client proof of a transaction the node never executed as
 * a committee verifies; and a fifth peer that answers every witness request with a forged value is
 * refused and scored down while every transaction still ends right.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computeTxId } from "../../src/program/index.js";
import { toHex } from "../../src/crypto/hash.js";
import { loadTrustAnchor, parseQuestion, verifyProofFiles } from "../../src/cli/verify.js";
import { createNodeMetrics } from "../../src/node/api/metrics.js";
import { NodeApiBackend } from "../../src/node/backend.js";
import { SlotClock } from "../../src/node/clock.js";
import { createDevnetFiles } from "../../src/node/devnet.js";
import { encodeDevnetGenesis, parseDevnetGenesis, parseKeyFile, type DevnetGenesis } from "../../src/node/genesis.js";
import { MemoryHub } from "../../src/node/net/memory.js";
import type { NetworkEvent } from "../../src/node/net/types.js";
import { XshardNode } from "../../src/node/node.js";
import { computeTxStatusView } from "../../src/node/results.js";
import { NodeStore } from "../../src/node/store/store.js";
import { WitnessRequest } from "../../src/node/witnesses.js";
import { getContract, getLogItem, getTx } from "../../src/protocols/delayed/state.js";
import type { Stage2Mode } from "../../src/protocols/delayed/rules.js";
import { encodeWitness, type MerkleKV } from "../../src/state/index.js";
import { getWorkload } from "../../src/workloads/index.js";
import { ManualTime } from "./manualTime.js";
import { replayStage1 } from "./replay.js";

const SLOT_MS = 1000;
const GENESIS_MS = 1_000_000_000_000;
const N = 4;

interface Net {
  readonly nodes: XshardNode[];
  readonly genesis: DevnetGenesis;
  readonly dir: string;
  readonly ids: string[];
  readonly events: NetworkEvent[][];
  runUntil(done: () => boolean, maxSlots: number): Promise<number>;
  stop(): Promise<void>;
}

const open: Net[] = [];
afterEach(async () => {
  for (const n of open.splice(0)) await n.stop();
});

async function settle(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** The devnet; with `liar`, a fifth peer (no node) that answers witness requests with a forged value, asked first. */
async function startNet(seed: string, mode: Stage2Mode, liar = false): Promise<Net> {
  const w = getWorkload("transfer").generate({ slots: 2, rate: 6, accounts: 8, contracts: 8, cross: 0.6 }, seed);
  const files = createDevnetFiles({ nodes: N, validators: 16, committees: 8, committeeSize: 2, slotMs: SLOT_MS, seed, genesisTimeMs: GENESIS_MS, stage2Mode: mode, genesis: w.genesis });
  const genesis = parseDevnetGenesis(JSON.parse(JSON.stringify(files.genesisDoc)));
  const time = new ManualTime(GENESIS_MS - 100);
  const hub = new MemoryHub();
  const dir = mkdtempSync(join(tmpdir(), "xshard-following-"));
  const nodes: XshardNode[] = [];
  const stores: NodeStore[] = [];
  const events: NetworkEvent[][] = [];
  for (let i = 0; i < N; i++) {
    const network = hub.createNetwork(`n${i}`);
    const store = NodeStore.open({ path: join(dir, `n${i}`) });
    stores.push(store);
    const keys = parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[i])), genesis);
    const node = new XshardNode({ genesis, keys, network, store, follow: "committees", metrics: createNodeMetrics(), clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }, time) });
    const ev: NetworkEvent[] = [];
    network.on((e) => ev.push(e));
    events.push(ev);
    nodes.push(node);
  }
  if (liar) {
    const l = hub.createNetwork("liar");
    await l.handle(nodes[0]!.witnesses.protocol, (req) => {
      const r = WitnessRequest.deserialize(req);
      const contract = new TextDecoder().decode(r.contract);
      const kv = nodes.map((n) => n.chain.views.frontier(contract).snaps[r.position]?.kv).find((x) => x !== undefined) as MerkleKV;
      // The true state with the first requested key set to another value.
      return encodeWitness(kv.applyWrites(new Map([[toHex(r.keys[0] as Uint8Array), new Uint8Array([0xba, 0xd])]])).prove(r.keys));
    }, { maxRequestBytes: 1 << 16, maxResponseBytes: 8 << 20 });
    for (let i = 0; i < N; i++) await l.connect(`/memory/n${i}`);
  }
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) await hub.getNetwork(`n${i}`)?.connect(`/memory/n${j}`);
  for (const n of nodes) await n.start();
  // Every node's mempool holds every transaction (the Stage-1 proposer changes every slot).
  for (const n of nodes) for (const s of w.submissions) n.addTransaction(s.tx);
  const net: Net = {
    nodes,
    genesis,
    dir,
    ids: w.submissions.map((s) => toHex(computeTxId(s.tx))),
    events,
    async runUntil(done, maxSlots) {
      for (let slot = 0; slot < maxSlots; slot++) {
        for (let ms = 0; ms < SLOT_MS; ms += 50) {
          time.advance(50);
          await settle();
        }
        if (done()) return slot;
      }
      return -1;
    },
    async stop() {
      for (const n of nodes) await n.stop();
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  open.push(net);
  return net;
}

/** Inclusions of Stage-2 blocks whose proposer's node does not follow the batch's committee (it had the body by gossip). */
function countForeignInclusions(net: Net): number {
  const n0 = net.nodes[0]!;
  const holder = new Map(net.nodes.flatMap((n, i) => n.o.keys.map((k) => [k.index, i] as const)));
  let foreign = 0;
  for (const b of n0.chain.stage2Blocks) {
    const proposer = net.nodes[holder.get(b.attesters[0]?.index ?? -1) ?? -1];
    for (const inc of b.inclusions) if (proposer?.chain.views.isRemote(inc.batch.header.committee)) foreign++;
  }
  return foreign;
}

function allFinal(net: Net): boolean {
  return net.nodes.every((n) => net.ids.every((id) => n.chain.byId.get(id)?.result !== undefined && n.chain.byId.get(id)?.finalSlot !== undefined));
}

/** What every check below needs: all final, the same everywhere, equal to the simulator's replay. */
function checkAgreement(net: Net): void {
  const [first] = net.nodes as [XshardNode];
  const status = (n: XshardNode): unknown[] => net.ids.map((id) => computeTxStatusView(n.chain.byId.get(id)!));
  for (const n of net.nodes.slice(1)) {
    expect(status(n)).toEqual(status(first));
    expect(n.chain.getAffirmedRoots()).toEqual(first.chain.getAffirmedRoots());
  }
  expect(status(first).filter((s) => (s as { outcome?: string }).outcome === "committed").length).toBeGreaterThan(0);
  const replay = replayStage1(net.genesis, first.chain.stage1Roots.map((_, h) => first.o.store.getBlockByNumber("stage1", h + 1) as Uint8Array));
  let compared = 0;
  for (const rec of first.chain.state.contracts.values()) {
    for (let pos = 1; pos < rec.chainRoots.length; pos++, compared++) expect(toHex(replay.rootAt(rec.id, pos))).toBe(toHex(getLogItem(rec.chainRoots, pos)));
  }
  expect(compared).toBeGreaterThanOrEqual(net.ids.length);
  for (const n of net.nodes) {
    for (const id of net.ids) {
      const r = n.chain.byId.get(id)!;
      const mine = replay.resultOf(r.seq);
      expect(r.result?.status).toBe(mine?.status);
      expect(toHex(r.result?.valuesRoot ?? new Uint8Array())).toBe(toHex(mine?.valuesRoot ?? new Uint8Array(1)));
    }
  }
}

/** Per node: contracts it does not follow whose queues moved, checked to hold no state here. */
function checkNotHeld(net: Net): number {
  let notHeld = 0;
  for (const n of net.nodes) {
    const v = n.chain.views;
    expect(n.chain.witnessCache).toBeDefined();
    const remote = [...n.chain.state.contracts.values()].filter((c) => v.isRemote(c.committee));
    const followed = [...n.chain.state.contracts.values()].filter((c) => !v.isRemote(c.committee));
    expect(remote.length).toBeGreaterThan(0);
    expect(followed.length).toBeGreaterThan(0);
    for (const c of remote) {
      const f = v.frontier(c.id);
      expect(f.snaps.filter((s) => s !== undefined)).toEqual([]);
      expect(f.localIdx).toBe(0);
      if (c.queue.length > 0) notHeld++;
    }
    for (const c of followed) expect(v.frontier(c.id).localIdx).toBe(c.queue.length);
    // A node serves the states it follows and refuses the others'.
    const c = remote.find((x) => x.queue.length > 0)!;
    expect(() => n.witnesses.proveLocal(c.id, [new Uint8Array([1])])).toThrow(/not held here/);
  }
  return notHeld;
}

describe("nodes following only their committees' contracts", () => {
  for (const mode of ["conditional", "strict"] as const) {
    it(`${mode}: every transaction final everywhere with the simulator's outcomes and roots; witnesses fetched, no foreign state held`, async () => {
      const net = await startNet(`follow-${mode}`, mode);
      const slots = await net.runUntil(() => allFinal(net), 60);
      expect(slots).toBeGreaterThan(0);
      checkAgreement(net);
      expect(checkNotHeld(net)).toBeGreaterThan(0);
      // Stage-2 proposers included batches of committees they do not follow (bodies by gossip).
      expect(countForeignInclusions(net)).toBeGreaterThan(0);
      for (const n of net.nodes) {
        expect(n.witnessFetches.ok).toBeGreaterThan(0);
        expect(n.witnessFetches.bad).toBe(0);
        expect(await n.o.metrics!.registry.getSingleMetricAsString("xshard_witness_fetches_total")).toContain(`xshard_witness_fetches_total{result="ok"} ${n.witnessFetches.ok}`);
      }
      // A transaction on contracts node 0 does not follow: its status and light-client proof come from the chain's affirmations.
      const n0 = net.nodes[0]!;
      const foreign = net.ids.find((id) => [...getTx(n0.chain.state, n0.chain.byId.get(id)!.seq).positions.keys()].every((d) => n0.chain.views.isRemote(getContract(n0.chain.state, d).committee)));
      expect(foreign).toBeDefined();
      const backend = new NodeApiBackend(n0);
      const idBytes = Buffer.from(foreign!, "hex");
      expect(backend.getTransactionStatus(idBytes)?.status).toBe("final");
      const proofFile = join(net.dir, "proof.json");
      const genesisFile = join(net.dir, "genesis.json");
      writeFileSync(proofFile, JSON.stringify(backend.getTransactionProof(idBytes)));
      writeFileSync(genesisFile, JSON.stringify(encodeDevnetGenesis(net.genesis)));
      const verified = verifyProofFiles([proofFile], loadTrustAnchor({ genesis: genesisFile }), parseQuestion({ tx: `0x${foreign}` }));
      expect(verified.lines[0]).toMatch(/^valid: transaction /);
      // GET /v1/state of a contract node 0 does not follow: a peer's witness, checked against node 0's root, and the outcome proof of that root.
      const c = [...n0.chain.state.contracts.values()].find((x) => n0.chain.views.isRemote(x.committee) && x.queue.length > 0)!;
      const state = await backend.getState(c.id, [new Uint8Array([1, 2, 3])]);
      expect(state.root).toBe(`0x${n0.chain.getAffirmedRoots()[c.id]?.root}`);
      expect(state.position).toBe(c.queue.length);
      expect(state.proof).not.toBeNull();
    }, 120_000);
  }

  it("a peer answering witnesses with a forged value is refused and scored down; every transaction still ends right", async () => {
    const net = await startNet("follow-liar", "conditional", true);
    const slots = await net.runUntil(() => allFinal(net), 60);
    expect(slots).toBeGreaterThan(0);
    checkAgreement(net);
    for (let i = 0; i < N; i++) {
      const n = net.nodes[i]!;
      expect(n.witnessFetches.ok).toBeGreaterThan(0);
      expect(n.o.network.getPeerScore("liar")).toBeLessThan(0);
      expect(net.events[i]!.some((e) => e.type === "response:reject" && e.from === "liar" && e.rule === "BAD_PROOF")).toBe(true);
    }
    for (const e of net.events) expect(e.filter((x) => x.type === "gossip:reject")).toEqual([]);
  }, 120_000);
});
