/**
 * A devnet's files from its parameters, deterministically: the genesis (`xshard.devnet-genesis/1`)
 * and one key file per node. Keys are dealt so that each committee's members are spread over the
 * nodes (member `i` of every contract committee goes to node `i mod N`; validators on no committee
 * round-robin), so that one node down costs each committee the fewest members. With committees
 * smaller than the node count, member `i` of committee `k` goes to node `(i + k) mod N` instead, so
 * that every node sits on some committees and none on all (a node follows only its committees'
 * contracts, docs/node.md "Following").
 */
import { computeCommittees, createValidators, type Genesis } from "../chain/index.js";
import { XshardError } from "../errors.js";
import type { Stage2Mode } from "../protocols/delayed/rules.js";
import { encodeDevnetGenesis, encodeKeyFile, type DevnetGenesis } from "./genesis.js";

export interface DevnetParams {
  readonly nodes: number;
  readonly validators: number;
  readonly committees: number;
  readonly committeeSize?: number;
  readonly slotMs: number;
  readonly seed: string;
  readonly genesisTimeMs: number;
  readonly blockTxLimit?: number;
  readonly stage2Mode?: Stage2Mode;
  readonly genesis: Genesis;
}

/** Checks the parameters (`BAD_PARAM` naming the first bad one). */
export function checkDevnetParams(p: DevnetParams): void {
  const bad = (name: string, why: string): never => {
    throw new XshardError("BAD_PARAM", `--${name} ${why}`, { param: name });
  };
  if (!Number.isInteger(p.nodes) || p.nodes < 1 || p.nodes > 64) bad("nodes", "must be a whole number in 1–64");
  if (!Number.isInteger(p.validators) || p.validators < p.nodes || p.validators > 1024) bad("validators", `must be a whole number in ${p.nodes}–1024 (at least one per node)`);
  if (!Number.isInteger(p.committees) || p.committees < 1 || p.committees > p.validators) bad("committees", `must be a whole number in 1–${p.validators}`);
  if (!Number.isInteger(p.slotMs) || p.slotMs < 200 || p.slotMs > 60_000) bad("slot-ms", "must be a whole number of milliseconds in 200–60000");
}

/** Which validators each node holds. */
export function dealValidators(p: Pick<DevnetParams, "nodes" | "validators" | "committees" | "seed"> & { committeeSize: number }): number[][] {
  const validators = createValidators(p.validators, p.seed);
  const committees = computeCommittees(validators, p.seed, p.committees, p.committeeSize);
  const owner = new Map<number, number>();
  const shift = p.committeeSize < p.nodes ? 1 : 0;
  committees.forEach((c, k) => c.forEach((v, i) => owner.has(v.index) || owner.set(v.index, (i + shift * k) % p.nodes)));
  let next = 0;
  for (const v of validators) if (!owner.has(v.index)) owner.set(v.index, next++ % p.nodes);
  const out: number[][] = Array.from({ length: p.nodes }, () => []);
  for (const [v, n] of [...owner].sort((a, b) => a[0] - b[0])) out[n]?.push(v);
  return out;
}

export function createDevnetGenesis(p: DevnetParams): DevnetGenesis {
  return {
    seed: p.seed,
    genesisTimeMs: p.genesisTimeMs,
    slotMs: p.slotMs,
    validators: p.validators,
    committees: p.committees,
    committeeSize: p.committeeSize ?? Math.max(1, Math.floor(p.validators / p.committees)),
    blockTxLimit: p.blockTxLimit ?? 256,
    stage2Mode: p.stage2Mode ?? "conditional",
    genesis: p.genesis,
  };
}

/** The genesis document and each node's key document. */
export function createDevnetFiles(p: DevnetParams): { genesis: DevnetGenesis; genesisDoc: Record<string, unknown>; keyDocs: Record<string, unknown>[]; dealt: number[][] } {
  checkDevnetParams(p);
  const genesis = createDevnetGenesis(p);
  const dealt = dealValidators({ ...p, committeeSize: genesis.committeeSize });
  return { genesis, genesisDoc: encodeDevnetGenesis(genesis), keyDocs: dealt.map((ix) => encodeKeyFile(p.seed, ix, p.validators)), dealt };
}

/** Where one node listens: its address (API and libp2p) and ports. */
export interface NodePlacement {
  readonly host: string;
  readonly p2pPort: number;
  readonly apiPort: number;
}

/** One node of a devnet directory: its files and its `xshard` command line (`argv[0]` is `node`). */
export interface PlannedNode {
  readonly dir: string;
  readonly log: string;
  readonly keysFile: string;
  /** Its libp2p multiaddr (`/ip4/<host>/tcp/<port>/p2p/<peer id>`). */
  readonly peer: string;
  readonly api: string;
  readonly argv: string[];
}

/**
 * Writes a devnet's files into `dir` (`genesis.json`, `node-i/keys.json`) and returns each node's
 * command line for its placement, every node bootstrapping to all others. Peer ids follow from the
 * key files, so all nodes can start at once. `xshard devnet` places nodes on loopback; a test
 * places them in network namespaces (test/node/netns.e2e.test.ts), a script on machines.
 */
export async function writeDevnetDir(dir: string, files: ReturnType<typeof createDevnetFiles>, places: readonly NodePlacement[], opts: { follow?: "committees" | "all" } = {}): Promise<PlannedNode[]> {
  if (places.length !== files.keyDocs.length) throw new XshardError("BAD_PARAM", `${places.length} placements for ${files.keyDocs.length} nodes`, {});
  const { mkdirSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { computeIdentitySeed } = await import("./process.js");
  const { computePeerId } = await import("./net/libp2p.js");
  mkdirSync(dir, { recursive: true });
  const genesisFile = join(dir, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify(files.genesisDoc, null, 2));
  const peers = await Promise.all(files.keyDocs.map(async (doc, i) => `/ip4/${places[i]?.host}/tcp/${places[i]?.p2pPort}/p2p/${await computePeerId(computeIdentitySeed(doc))}`));
  return places.map((p, i) => {
    const nodeDir = join(dir, `node-${i}`);
    mkdirSync(nodeDir, { recursive: true });
    const keysFile = join(nodeDir, "keys.json");
    writeFileSync(keysFile, JSON.stringify(files.keyDocs[i], null, 2));
    const log = join(nodeDir, "node.log");
    const bootstrap = peers.filter((_, j) => j !== i);
    const argv = ["node", "--genesis", genesisFile, "--keys", keysFile, "--dir", nodeDir, "--log", log, "--host", p.host, "--p2p-port", String(p.p2pPort), "--api-port", String(p.apiPort), ...(opts.follow ? ["--follow", opts.follow] : []), ...(bootstrap.length > 0 ? ["--bootstrap", ...bootstrap] : [])];
    return { dir: nodeDir, log, keysFile, peer: peers[i] as string, api: `http://${p.host}:${p.apiPort}`, argv };
  });
}
