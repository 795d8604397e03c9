/**
 * `xshard verify --genesis FILE | --checkpoint FILE [--tx ID] [--seq N] [--contract ID] PROOF…`:
 * checks light-client proofs of transaction outcomes against a trust anchor the user holds, never
 * against keys a proof supplies; and the anchor file `run --prove` writes beside its proofs.
 * `xshard verify --rpc URL --tx ID --genesis FILE` is the same light client over a node's API: it
 * fetches the proof (and the node's status of the transaction, which must agree with it).
 */
import { readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import { XshardError, isXshardError } from "../errors.js";
import { createBatchBlsVerifier } from "../crypto/bls.js";
import { toHex } from "../crypto/hash.js";
import { Runtime } from "../runtime/index.js";
import { deployGenesis } from "../sim/world.js";
import type { RunConfig } from "../sim/protocol.js";
import type { GeneratedWorkload } from "../workloads/types.js";
import { computeGenesisRoot, type GenesisAnchor } from "../chain/index.js";
import { createGenesisAnchor, encodeGenesisFile, parseGenesisFile } from "../chain/anchorFile.js";
import { RpcClient, parseRpcUrl } from "./rpc.js";
import { computeAnchorFile, DEVNET_GENESIS_SCHEMA, parseDevnetGenesis } from "../node/genesis.js";
import { createGenesisTrust, createTxProofChecker, parseCheckpointFile, type ProofQuestion, type TrustAnchor, type VerifiedOutcome } from "../protocols/delayed/lightclient.js";

/** Name of the anchor file `run --prove` writes next to its proofs. */
export const GENESIS_FILE_NAME = "genesis.json";
/** Larger files are refused before they are read (a proof is a few kB; a genesis of 2^20 validators ≈ 120 MB). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** The genesis anchor of a run (what its chain computed at the start): validators from the seed, genesis contracts deployed again. */
export function computeRunAnchor(config: RunConfig, workload: GeneratedWorkload): GenesisAnchor {
  return createGenesisAnchor(
    { seed: config.seed, validators: config.validators, committeeSize: config.committeeSize, committees: config.shards },
    deployGenesis(new Runtime(), workload.genesis),
  );
}

/** The genesis file's text. */
export function formatGenesisFile(anchor: GenesisAnchor): string {
  return `${JSON.stringify(encodeGenesisFile(anchor), null, 2)}\n`;
}

/** One line, whatever the message holds. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ");
}

function readJson(file: string, code: string, what: string): unknown {
  try {
    const size = statSync(file).size;
    if (size > MAX_FILE_BYTES) throw new Error(`${size} bytes is larger than ${MAX_FILE_BYTES}`);
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new XshardError(code, `cannot read ${what} ${file}: ${oneLine((e as Error).message)}`, { file });
  }
}

/**
 * The `xshard.genesis/1` anchor a genesis file holds: the file itself, or — for a devnet genesis
 * (`xshard.devnet-genesis/1`, what `xshard devnet` writes) — the anchor under `anchor`, which must be
 * the anchor of the chain the file describes (recomputed from its seed, sizes and contracts).
 */
function readAnchorOf(doc: unknown): unknown {
  if (typeof doc !== "object" || doc === null || (doc as { schema?: unknown }).schema !== DEVNET_GENESIS_SCHEMA) return doc;
  const anchor = (doc as { anchor?: unknown }).anchor;
  if (anchor === undefined) throw new XshardError("BAD_ANCHOR", "the devnet genesis file has no light-client anchor (`anchor`)");
  const own = computeAnchorFile(parseDevnetGenesis(doc));
  const root = (anchor as { genesisRoot?: unknown } | null)?.genesisRoot;
  if (root !== own.genesisRoot) throw new XshardError("BAD_ANCHOR", `the devnet genesis file's anchor (genesis root ${String(root).slice(0, 16)}…) is not the anchor of the chain it describes (${own.genesisRoot.slice(0, 16)}…)`);
  return anchor;
}

/** The trust anchor from `--genesis` and/or `--checkpoint`; NO_ANCHOR without either. */
export function loadTrustAnchor(o: { genesis?: string; checkpoint?: string }): TrustAnchor {
  if (o.genesis === undefined && o.checkpoint === undefined) {
    throw new XshardError("NO_ANCHOR", "verify needs a trust anchor: --genesis FILE or --checkpoint FILE (a proof never supplies the keys it is checked against)");
  }
  const load = (file: string, parse: (doc: unknown) => TrustAnchor): TrustAnchor => {
    const doc = readJson(file, "UNREADABLE_ANCHOR", "anchor");
    try {
      return parse(doc);
    } catch (e) {
      if (isXshardError(e)) throw new XshardError(e.code, `${file}: ${oneLine(e.message)}`, { file, ...e.data });
      throw e;
    }
  };
  const genesis = o.genesis === undefined ? undefined : load(o.genesis, (doc) => createGenesisTrust(parseGenesisFile(readAnchorOf(doc))));
  const checkpoint = o.checkpoint === undefined ? undefined : load(o.checkpoint, parseCheckpointFile);
  if (genesis && checkpoint && toHex(genesis.genesisRoot) !== toHex(checkpoint.genesisRoot)) {
    throw new XshardError("BAD_ANCHOR", `${o.checkpoint}: the checkpoint is for another chain than ${o.genesis}`, { genesis: o.genesis, checkpoint: o.checkpoint });
  }
  return checkpoint ?? (genesis as TrustAnchor);
}

/** `--tx`, `--seq`, `--contract` as a question every proof must answer. */
export function parseQuestion(o: { tx?: string; seq?: string; contract?: string }): ProofQuestion {
  const q: { txId?: string; seq?: number; contract?: string } = {};
  if (o.tx !== undefined) {
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(o.tx)) throw new XshardError("BAD_PARAM", `--tx must be a 32-byte transaction id in hex, got '${o.tx}'`, { value: o.tx });
    q.txId = o.tx.replace(/^0x/, "").toLowerCase();
  }
  if (o.seq !== undefined) {
    if (!/^[0-9]+$/.test(o.seq) || !Number.isSafeInteger(Number(o.seq))) throw new XshardError("BAD_PARAM", `--seq must be a non-negative integer, got '${o.seq}'`, { value: o.seq });
    q.seq = Number(o.seq);
  }
  if (o.contract !== undefined) {
    if (o.contract === "") throw new XshardError("BAD_PARAM", "--contract is empty");
    q.contract = o.contract;
  }
  return q;
}

function formatOutcome(v: VerifiedOutcome): string[] {
  return [
    `valid: transaction ${v.txId} ${v.outcome} (seq ${v.seq}, contract ${v.contract}, Stage-2 block ${v.stage2Block}, slot ${v.slot})`,
    ...v.values.map((b, i) => `  step ${i}: ${b === null ? "Nothing" : "0x" + toHex(b)}`),
  ];
}

/** Proof files read before their proofs are checked together (bounds memory; the checker hashes up to 256 proofs at once). */
const FILES_PER_BATCH = 1024;

/**
 * Verifies every file against the anchor through one checker, `FILES_PER_BATCH` at a time with
 * `verifyMany` (shared headers and batches checked once, the pairings of a batch together);
 * throws at the first bad file in order, naming it.
 */
export function verifyProofFiles(files: readonly string[], anchor: TrustAnchor, question: ProofQuestion): { outcomes: VerifiedOutcome[]; lines: string[] } {
  const checker = createTxProofChecker(anchor, createBatchBlsVerifier());
  const outcomes: VerifiedOutcome[] = [];
  const lines: string[] = [];
  for (let start = 0; start < files.length; start += FILES_PER_BATCH) {
    const chunk = files.slice(start, start + FILES_PER_BATCH);
    const docs: unknown[] = [];
    let unreadable: unknown;
    for (const file of chunk) {
      try {
        docs.push(readJson(file, "UNREADABLE_PROOF", "proof"));
      } catch (e) {
        unreadable = e;
        break;
      }
    }
    const before = checker.stats.proofs;
    let verified: VerifiedOutcome[];
    try {
      verified = checker.verifyMany(docs, question);
    } catch (e) {
      // The proofs before the bad one are counted: it is the next file.
      const file = chunk[checker.stats.proofs - before] as string;
      if (isXshardError(e)) throw new XshardError(e.code, `${file}: ${oneLine(e.message)}`, { file, ...e.data });
      throw e;
    }
    verified.forEach((v, i) => {
      outcomes.push(v);
      lines.push(...(files.length > 1 ? [`${chunk[i] as string}:`] : []), ...formatOutcome(v));
    });
    if (unreadable !== undefined) throw unreadable;
  }
  if (files.length > 1) {
    const s = checker.stats;
    lines.push(`${s.proofs} proofs valid against genesis ${toHex(anchor.genesisRoot).slice(0, 16)}… (${s.headers} headers, ${s.affirmations} affirmations, ${s.signatures} aggregate signatures checked)`);
  }
  return { outcomes, lines };
}

/** The node's status must say what the verified proof says (outcome, and return values when given). */
function checkStatusAgrees(v: VerifiedOutcome, status: { status: string; outcome?: string; returnValues?: readonly (string | null)[] } | undefined, where: string): void {
  const fail = (what: string): never => {
    throw new XshardError("RPC_MISMATCH", `${where}: the node's status ${what} (the proof, checked against the anchor, says ${v.outcome})`, { txId: v.txId });
  };
  if (status === undefined) fail("does not know the transaction");
  if (status?.status !== "final") fail(`says ${status?.status}, not final`);
  if (status?.outcome !== v.outcome) fail(`says outcome ${status?.outcome}`);
  const values = v.values.map((b) => (b === null ? null : "0x" + toHex(b)));
  const given = status?.returnValues?.map((x) => (x === null ? null : x.toLowerCase()));
  if (given !== undefined && JSON.stringify(given) !== JSON.stringify(values)) fail("gives other return values");
}

/**
 * `verify --rpc URL --tx ID`: the proof of transaction ID from the node, checked against the user's
 * anchor only; the node's status of it must agree with the proof. Returns the lines to print.
 */
export async function verifyOverRpc(url: unknown, anchor: TrustAnchor, question: ProofQuestion, timeoutMs?: number): Promise<{ outcome: VerifiedOutcome; lines: string[] }> {
  const base = parseRpcUrl(url);
  if (question.txId === undefined) throw new XshardError("BAD_PARAM", "verify --rpc needs --tx ID (the transaction whose proof to fetch)");
  const client = new RpcClient(base, timeoutMs === undefined ? {} : { timeoutMs });
  const id = `0x${question.txId}`;
  const doc = await client.getProof(id);
  const where = `${base}/v1/tx/${id}/proof`;
  let v: VerifiedOutcome;
  try {
    v = createTxProofChecker(anchor, createBatchBlsVerifier()).verify(doc, question);
  } catch (e) {
    if (isXshardError(e)) throw new XshardError(e.code, `${where}: ${oneLine(e.message)}`, { url: where, ...e.data });
    throw e;
  }
  checkStatusAgrees(v, await client.getTx(id), `${base}/v1/tx/${id}`);
  return { outcome: v, lines: [...formatOutcome(v), `  (proof from ${base}, checked against genesis ${toHex(anchor.genesisRoot).slice(0, 16)}…; the node's status agrees)`] };
}

export function addVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description("check light-client proofs of transaction outcomes (files written by `run --prove`, or fetched from a node with --rpc) against a trust anchor")
    .argument("[proofs...]", "proof files (JSON)")
    .option("--rpc <url>", "fetch the proof of --tx from this node's HTTP API instead of files")
    .option("--genesis <file>", "trust anchor: the chain's genesis file (run --prove writes DIR/genesis.json)")
    .option("--checkpoint <file>", "trust anchor: a checkpoint file (a later Stage-2 block and the validators slashed by then)")
    .option("--tx <id>", "every proof must prove this transaction id (hex)")
    .option("--seq <n>", "every proof must prove this Stage-1 sequence number")
    .option("--contract <id>", "every proof must prove the outcome on this contract")
    .action(async (files: string[], o: { rpc?: string; genesis?: string; checkpoint?: string; tx?: string; seq?: string; contract?: string }) => {
      if (o.rpc !== undefined && files.length > 0) throw new XshardError("BAD_PARAM", "give proof files or --rpc URL, not both");
      if (o.rpc === undefined && files.length === 0) throw new XshardError("BAD_PARAM", "verify needs proof files, or --rpc URL --tx ID to fetch a proof from a node");
      if (o.rpc !== undefined) parseRpcUrl(o.rpc);
      const anchor = loadTrustAnchor(o);
      const question = parseQuestion(o);
      const { lines } = o.rpc !== undefined ? await verifyOverRpc(o.rpc, anchor, question) : verifyProofFiles(files, anchor, question);
      for (const line of lines) console.log(line);
    });
}

/** The anchor's root, for the line `run --prove` prints when it writes GENESIS_FILE_NAME. */
export function describeAnchor(anchor: GenesisAnchor): string {
  return `genesis root ${toHex(computeGenesisRoot(anchor))}`;
}
