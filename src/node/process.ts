/**
 * One node process assembled: store (`DIR/store`), libp2p network, HTTP API, metrics and the node,
 * from a devnet genesis, a key file and bootstrap addresses. Once started it writes
 * `DIR/ready.json` (`api` URL, peer id and addresses) for scripts and the devnet command.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256, toHex } from "../crypto/hash.js";
import { XshardError } from "../errors.js";
import { NodeApiBackend } from "./backend.js";
import { SlotClock } from "./clock.js";
import { parseDevnetGenesis, parseKeyFile } from "./genesis.js";
import { bindNetworkMetrics, createNodeMetrics } from "./api/metrics.js";
import { createApiServer, startApiServer } from "./api/server.js";
import { createLibp2pNetwork } from "./net/libp2p.js";
import { XshardNode } from "./node.js";
import { NodeStore } from "./store/store.js";

export interface NodeProcessOptions {
  readonly genesisFile: string;
  readonly keysFile: string;
  readonly bootstrap: readonly string[];
  readonly dir: string;
  readonly host: string;
  readonly apiPort: number;
  readonly p2pPort: number;
  readonly log: (line: string) => void;
  /** What the node executes (`NodeOptions.follow`; default `committees`). */
  readonly follow?: "committees" | "all";
}

export interface RunningNode {
  readonly node: XshardNode;
  readonly api: string;
  readonly peerId: string;
  readonly addresses: string[];
  stop(): Promise<void>;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new XshardError("BAD_FILE", `cannot read ${what} ${path}`, { path });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new XshardError("BAD_FILE", `${what} ${path} is not JSON`, { path });
  }
}

/** Reads and checks the files (before anything is started: bad input fails fast). */
export function loadNodeFiles(o: Pick<NodeProcessOptions, "genesisFile" | "keysFile">): { genesis: ReturnType<typeof parseDevnetGenesis>; keys: ReturnType<typeof parseKeyFile>; identitySeed: Uint8Array } {
  const genesis = parseDevnetGenesis(readJson(o.genesisFile, "genesis file"));
  const keysDoc = readJson(o.keysFile, "key file");
  const keys = parseKeyFile(keysDoc, genesis);
  return { genesis, keys, identitySeed: computeIdentitySeed(keysDoc) };
}

/** The libp2p identity follows from the key file: the same keys, the same peer id. */
export function computeIdentitySeed(keysDoc: unknown): Uint8Array {
  return sha256("xshard:p2p-identity:", JSON.stringify(keysDoc));
}

export async function startNodeProcess(o: NodeProcessOptions): Promise<RunningNode> {
  const { genesis, keys, identitySeed } = loadNodeFiles(o);
  mkdirSync(o.dir, { recursive: true });
  const store = NodeStore.open({ path: join(o.dir, "store") });
  const network = await createLibp2pNetwork({ listen: [`/ip4/${o.host}/tcp/${o.p2pPort}`], bootstrap: o.bootstrap, identitySeed });
  const metrics = createNodeMetrics({ processMetrics: true });
  bindNetworkMetrics(metrics, network);
  const node = new XshardNode({ genesis, keys, network, store, metrics, log: o.log, clock: new SlotClock({ genesisTimeMs: genesis.genesisTimeMs, slotMs: genesis.slotMs }), ...(o.follow ? { follow: o.follow } : {}) });
  await node.start();
  // Bootstrap peers that were not up yet are dialled again every few seconds until connected.
  const redial = setInterval(() => {
    const peers = new Set(network.getPeers());
    for (const addr of o.bootstrap) {
      const id = addr.split("/p2p/")[1];
      if (id !== undefined && !peers.has(id)) network.connect(addr).catch(() => undefined);
    }
  }, 2000);
  const app = await createApiServer({ backend: new NodeApiBackend(node), metrics, onInternalError: (e) => o.log(`api: ${(e as Error).stack ?? String(e)}`) });
  const api = await startApiServer(app, o.host, o.apiPort);
  const ready = { api, peerId: network.peerId, addresses: network.getAddresses(), validators: keys.map((k) => k.index), genesisRoot: toHex(node.chain.state.genesisRoot), pid: process.pid };
  writeFileSync(join(o.dir, "ready.json.tmp"), JSON.stringify(ready, null, 2));
  renameSync(join(o.dir, "ready.json.tmp"), join(o.dir, "ready.json"));
  o.log(`node up: api ${api}, peer ${network.peerId}, validators ${ready.validators.join(",")}`);
  return {
    node,
    api,
    peerId: network.peerId,
    addresses: ready.addresses,
    async stop() {
      clearInterval(redial);
      await node.stop();
      await app.close();
      await network.stop();
      await store.close();
    },
  };
}
