/** In-process devnet on the memory network (for tests of the node's logic without sockets). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlotClock } from "../../src/node/clock.js";
import { createDevnetFiles } from "../../src/node/devnet.js";
import { parseDevnetGenesis, parseKeyFile } from "../../src/node/genesis.js";
import { MemoryHub } from "../../src/node/net/memory.js";
import { XshardNode, type NodeOptions } from "../../src/node/node.js";
import { NodeStore } from "../../src/node/store/store.js";
import type { Genesis } from "../../src/chain/index.js";

export interface MemoryDevnet {
  readonly nodes: XshardNode[];
  readonly logs: string[][];
  readonly hub: MemoryHub;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startMemoryDevnet(o: { nodes: number; validators: number; committees: number; slotMs: number; seed: string; genesis: Genesis; startInMs?: number; committeeSize?: number; nodeOptions?: Pick<NodeOptions, "faults"> | ((i: number) => Pick<NodeOptions, "faults">) }): Promise<MemoryDevnet> {
  const files = createDevnetFiles({ ...o, genesisTimeMs: Date.now() + (o.startInMs ?? 300) });
  const genesis = parseDevnetGenesis(JSON.parse(JSON.stringify(files.genesisDoc)));
  const hub = new MemoryHub();
  const dir = mkdtempSync(join(tmpdir(), "xshard-memdevnet-"));
  const logs: string[][] = [];
  const nodes: XshardNode[] = [];
  const stores: NodeStore[] = [];
  for (let i = 0; i < o.nodes; i++) {
    const log: string[] = [];
    logs.push(log);
    const network = hub.createNetwork(`n${i}`);
    const store = NodeStore.open({ path: join(dir, `n${i}`) });
    stores.push(store);
    const keys = parseKeyFile(JSON.parse(JSON.stringify(files.keyDocs[i])), genesis);
    nodes.push(new XshardNode({ genesis, keys, network, store, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }), log: (l) => log.push(l), ...(typeof o.nodeOptions === "function" ? o.nodeOptions(i) : o.nodeOptions) }));
  }
  for (let i = 0; i < o.nodes; i++) for (let j = i + 1; j < o.nodes; j++) await hub.getNetwork(`n${i}`)?.connect(`/memory/n${j}`);
  for (const n of nodes) await n.start();
  return {
    nodes,
    logs,
    hub,
    dir,
    async stop() {
      for (const n of nodes) await n.stop();
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
