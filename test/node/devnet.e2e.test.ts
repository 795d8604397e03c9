/**
 * End to end (issue 13): `xshard devnet` starts 4 node processes on loopback (16 validators,
 * 4 committees, 1 s slots); the `exchange` workload's transactions are submitted over the HTTP API;
 * one node is SIGKILLed mid-run and restarted. Then: every node reports the same status, outcome
 * and return values for every transaction; after the devnet is stopped, every store holds the same
 * Stage-1 and Stage-2 chains (block roots by height, the restarted node's included); and replaying
 * the finalized Stage-1 blocks through the simulator's committee execution (the spec's
 * `CommitteeViews`, from genesis, no Stage-2 block) gives every contract's affirmed post-roots and
 * every transaction's outcome and values root as the devnet affirmed them.
 * Runs the CLI from dist/ (npm run build:ts first).
 */
import { describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytesEqual, toHex } from "../../src/crypto/hash.js";
import { getLogItem } from "../../src/protocols/delayed/state.js";
import { computeTxId, encodeSignedTx } from "../../src/program/index.js";
import { parseDevnetGenesis } from "../../src/node/genesis.js";
import { NodeChain } from "../../src/node/chain.js";
import { mergeChains } from "../../src/node/order.js";
import { materializeStage2Block } from "../../src/node/wire.js";
import { NodeStore } from "../../src/node/store/store.js";
import { getWorkload } from "../../src/workloads/index.js";
import { replayStage1 } from "./replay.js";

const BIN = join(import.meta.dirname, "..", "..", "bin", "xshard.js");
const PARAMS = { pools: 2, accounts: 16 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface DevnetJson {
  slotMs: number;
  genesis: string;
  nodes: { api: string; argv: string[]; pid: number; dir: string; log: string }[];
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function waitFor(what: string, ms: number, cond: () => Promise<boolean> | boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(2000);
  }
}

function readChain(dir: string, chain: "stage1" | "stage2"): Uint8Array[] {
  const store = NodeStore.open({ path: join(dir, "store"), readOnly: true });
  try {
    const h = store.getHeads()[chain]?.number ?? 0;
    return store.getBlockRange(chain, 1, h + 1).map((b) => b.bytes);
  } finally {
    void store.close();
  }
}

describe("xshard devnet: 4 nodes on loopback", () => {
  it("agree on outcomes and roots, survive a kill -9, and match the simulator's transitions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xshard-devnet-"));
    const seed = "e2e";
    const devnet = spawn(process.execPath, [BIN, "devnet", "--nodes", "4", "--validators", "16", "--committees", "4", "--slot-ms", "1000", "--seed", seed, "--dir", dir, "--param", `pools=${PARAMS.pools}`, `accounts=${PARAMS.accounts}`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    devnet.stdout.on("data", (d: Buffer) => (out += d.toString()));
    devnet.stderr.on("data", (d: Buffer) => (out += d.toString()));
    let restarted: ChildProcess | undefined;
    let passed = false;
    try {
      await waitFor("the devnet to be up", 300_000, () => out.includes("devnet up") || devnet.exitCode !== null);
      expect(existsSync(join(dir, "devnet.json"))).toBe(true);
      expect(devnet.exitCode, out).toBeNull();
      const info = JSON.parse(readFileSync(join(dir, "devnet.json"), "utf8")) as DevnetJson;
      const apis = info.nodes.map((n) => n.api);
      expect(out).toContain(apis[0]);

      // The exchange workload over the genesis the devnet was given (same parameters, same names).
      const w = getWorkload("exchange").generate({ ...PARAMS, slots: 6, rate: 3 }, seed);
      const ids = w.submissions.map((s) => `0x${toHex(computeTxId(s.tx))}`);
      const bySlot = new Map<number, typeof w.submissions>();
      for (const s of w.submissions) bySlot.set(s.slot, [...(bySlot.get(s.slot) ?? []), s]);
      const victim = info.nodes[3] as DevnetJson["nodes"][number];
      for (let slot = 0; slot < 6; slot++) {
        for (const s of bySlot.get(slot) ?? []) {
          const res = await fetch(`${apis[s.index % 3]}/v1/tx`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: encodeSignedTx(s.tx) });
          expect(res.status, await res.clone().text()).toBe(202);
        }
        if (slot === 2) process.kill(victim.pid, "SIGKILL"); // mid-run, whatever it was doing
        await sleep(info.slotMs);
      }
      // Restart the killed node from its store, with the same command line.
      await sleep(2 * info.slotMs);
      restarted = spawn(process.execPath, [BIN, ...victim.argv], { stdio: ["ignore", "ignore", "pipe"] });
      const live = apis.slice(0, 3);
      // (Polled gently: the nodes share two loaded cores with this test.)
      await waitFor("every transaction final on the live nodes", 300_000, async () => {
        for (const api of live) for (const id of ids.slice().reverse()) if ((await getJson(`${api}/v1/tx/${id}`)).body.status !== "final") return false;
        return true;
      });
      await waitFor("the restarted node to serve its API", 180_000, async () => {
        try {
          return (await getJson(`${victim.api}/v1/heads`)).status === 200;
        } catch {
          return false;
        }
      });
      await waitFor("the restarted node to catch up", 300_000, async () => {
        for (const id of ids) if ((await getJson(`${victim.api}/v1/tx/${id}`)).body.status !== "final") return false;
        return true;
      });

      // Every node: the same status, outcome, slots and return values for every transaction (a node
      // that has just settled a fork re-executes before it answers "final" again: wait for it).
      await waitFor("every node to report every transaction final", 120_000, async () => {
        for (const api of apis) for (const id of ids) if ((await getJson(`${api}/v1/tx/${id}`)).body.status !== "final") return false;
        return true;
      });
      for (const id of ids) {
        const views = await Promise.all(apis.map(async (api) => (await getJson(`${api}/v1/tx/${id}`)).body));
        for (const v of views.slice(1)) expect(v).toEqual(views[0]);
      }
      const outcomes = await Promise.all(ids.map(async (id) => (await getJson(`${apis[0]}/v1/tx/${id}`)).body.outcome));
      expect(outcomes.filter((o) => o === "committed").length).toBeGreaterThan(0);

      // Stop everything cleanly, then compare the stores.
      restarted.kill("SIGTERM");
      devnet.kill("SIGTERM");
      await waitFor("the devnet to stop", 60_000, () => devnet.exitCode !== null && restarted?.exitCode !== null);
      const chains = info.nodes.map((n) => ({ s1: readChain(n.dir, "stage1"), s2: readChain(n.dir, "stage2") }));
      const genesis = parseDevnetGenesis(JSON.parse(readFileSync(info.genesis, "utf8")));
      const imported = chains.map((c) => {
        const chain = new NodeChain(genesis);
        for (const it of mergeChains(c.s1, c.s2)) {
          if (it.chain === "stage1") chain.importStage1(it.block);
          else chain.importStage2(materializeStage2Block(chain.state, it.block));
        }
        return chain;
      });
      const minS1 = Math.min(...imported.map((c) => c.stage1.height));
      for (const c of imported.slice(1)) {
        for (let h = 0; h < minS1; h++) expect(bytesEqual(c.stage1Roots[h] as Uint8Array, imported[0]?.stage1Roots[h] as Uint8Array)).toBe(true);
        const n = Math.min(c.stage2Blocks.length, imported[0]?.stage2Blocks.length ?? 0);
        for (let h = 0; h < n; h++) expect(toHex(c.stage2Blocks[h]?.root as Uint8Array)).toBe(toHex(imported[0]?.stage2Blocks[h]?.root as Uint8Array));
      }
      // Replay node 0's finalized Stage-1 blocks through the simulator's committee execution.
      const ref = imported[0] as NodeChain;
      ref.executeRound(ref.stage1.slot + 1); // the rebuilt chain executes once (results of final transactions)
      const replay = replayStage1(genesis, chains[0]?.s1 ?? []);
      let compared = 0;
      for (const rec of ref.state.contracts.values()) {
        for (let pos = 1; pos < rec.chainRoots.length; pos++) {
          expect(toHex(replay.rootAt(rec.id, pos))).toBe(toHex(getLogItem(rec.chainRoots, pos)));
          compared++;
        }
      }
      expect(compared).toBeGreaterThanOrEqual(ids.length);
      for (const id of ids) {
        const r = ref.byId.get(id.slice(2));
        const mine = replay.resultOf(r?.seq ?? -1);
        expect(mine?.status).toBe(r?.result?.status);
        expect(toHex(mine?.valuesRoot ?? new Uint8Array())).toBe(toHex(r?.result?.valuesRoot ?? new Uint8Array(1)));
      }
      passed = true;
    } finally {
      if (devnet.exitCode === null) devnet.kill("SIGTERM");
      if (restarted && restarted.exitCode === null) restarted.kill("SIGTERM");
      await sleep(3000);
      if (passed) rmSync(dir, { recursive: true, force: true });
      else process.stderr.write(`devnet test failed: its directory (logs, stores) is kept at ${dir}\n`);
    }
  }, 900_000);
});
