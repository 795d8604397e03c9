/**
 * `xshard state --rpc URL --contract C --key K [--key K…] --genesis FILE | --checkpoint FILE`: a
 * light client's read of contract state. It fetches `GET /v1/state/:contract?keys=…` and trusts
 * none of the node's word: the state root is taken from the signed result leaf of the outcome proof
 * that comes with it (checked like `verify --rpc`: the Stage-2 header against the committees
 * derived from the user's anchor, then batch, affirmation, leaf), or — for state 0 — from the
 * genesis anchor's contract roots; the Merkle witness must prove every key's value (or absence)
 * against that root, and the node's listed root and values must agree with it.
 *
 * Typed errors: `BAD_PARAM`; the proof's codes (`BAD_SIGNATURE`, `BAD_PROOF`, `PROOF_MISMATCH`, …);
 * `STATE_MISMATCH` (the answer is about another contract or other keys, or its state 0 has no
 * anchor root); `STATE_ROOT_MISMATCH` (the node's root is not the proven one); `MALFORMED_WITNESS`,
 * `BAD_PROOF`, `MISSING_WITNESS` (the witness); `STATE_VALUE_MISMATCH` (the node's values are not
 * the proven ones).
 */
import type { Command } from "commander";
import { createBatchBlsVerifier } from "../crypto/bls.js";
import { bytesEqual, fromHex, toHex } from "../crypto/hash.js";
import { XshardError, isXshardError } from "../errors.js";
import type { StateProofView } from "../node/api/backend.js";
import { createTxProofChecker, type TrustAnchor } from "../protocols/delayed/lightclient.js";
import { decodeWitness, MAX_KEY_BYTES, verifyWitness } from "../state/index.js";
import { MAX_STATE_KEYS } from "../node/api/schema.js";
import { RpcClient, parseRpcUrl } from "./rpc.js";
import { loadTrustAnchor } from "./verify.js";

/** A verified read: each key's value (null: proven absent) in the contract's state after transaction `seq`. */
export interface VerifiedStateRead {
  readonly contract: string;
  readonly position: number;
  readonly root: Uint8Array;
  /** Where the root is from: a Stage-2 block (number, slot) and the transaction that made the state, or genesis. */
  readonly from: { readonly stage2Block: number; readonly slot: number; readonly seq: number } | "genesis";
  readonly keys: readonly Uint8Array[];
  readonly values: readonly (Uint8Array | null)[];
}

function fail(code: string, message: string): never {
  throw new XshardError(code, `state proof: ${message}`, {});
}

/** `--key` values: 0x-hex bytes, or UTF-8 text. */
export function parseStateKeyFlags(keys: readonly string[]): Uint8Array[] {
  if (keys.length < 1 || keys.length > MAX_STATE_KEYS) throw new XshardError("BAD_PARAM", `state needs 1–${MAX_STATE_KEYS} --key values`);
  return keys.map((k) => {
    const b = /^0x([0-9a-fA-F]{2})+$/.test(k) ? fromHex(k.slice(2)) : new TextEncoder().encode(k);
    if (b.length < 1 || b.length > MAX_KEY_BYTES) throw new XshardError("BAD_PARAM", `--key '${k.slice(0, 40)}' must be 1–${MAX_KEY_BYTES} bytes`, { value: k.slice(0, 80) });
    return b;
  });
}

/**
 * Checks a `xshard.stateproof/1` answer for `keys` of `contract` against `anchor` only (throws a
 * typed error; never returns a value the anchor does not prove).
 */
export function verifyStateProof(doc: StateProofView, anchor: TrustAnchor, contract: string, keys: readonly Uint8Array[]): VerifiedStateRead {
  if (doc.contract !== contract) fail("STATE_MISMATCH", `it is about contract ${doc.contract.slice(0, 64)}, not ${contract}`);
  if (doc.keys.length !== keys.length || doc.keys.some((k, i) => k.toLowerCase() !== `0x${toHex(keys[i] as Uint8Array)}`)) fail("STATE_MISMATCH", "it is about other keys than asked");
  let root: Uint8Array;
  let from: VerifiedStateRead["from"];
  if (doc.proof === null) {
    const g = anchor.genesis.contracts.find((c) => c.id === contract);
    if (doc.position !== 0 || !g) fail("STATE_MISMATCH", `state ${doc.position} of ${contract} comes without a proof, and only a genesis contract's state 0 has its root in the anchor`);
    root = g.root;
    from = "genesis";
  } else {
    const v = createTxProofChecker(anchor, createBatchBlsVerifier()).verify(doc.proof, { contract });
    // Verified with the rest: the leaf's post-root is hashed into the signed result leaf.
    root = fromHex(String((doc.proof as { leaf: { postRoot: string } }).leaf.postRoot));
    if (doc.seq !== v.seq) fail("STATE_MISMATCH", `it names transaction ${String(doc.seq)}, its proof ${v.seq}`);
    from = { stage2Block: v.stage2Block, slot: v.slot, seq: v.seq };
  }
  if (!bytesEqual(fromHex(doc.root.slice(2)), root)) fail("STATE_ROOT_MISMATCH", `the node's root ${doc.root.slice(0, 18)}… is not the proven root ${toHex(root).slice(0, 16)}…`);
  const view = verifyWitness(root, decodeWitness(fromHex(doc.witness.slice(2))));
  const values = keys.map((k) => view.get(k) ?? null);
  values.forEach((v, i) => {
    const said = doc.values[i];
    if ((v === null) !== (said === null || said === undefined) || (v !== null && said !== null && said !== undefined && !bytesEqual(fromHex(said.slice(2)), v))) {
      fail("STATE_VALUE_MISMATCH", `the node's value of key 0x${toHex(keys[i] as Uint8Array)} is not the proven one`);
    }
  });
  return { contract, position: doc.position, root, from, keys, values };
}

/** Fetches and verifies; the lines to print. */
export async function readStateOverRpc(url: unknown, anchor: TrustAnchor, contract: string, keys: readonly Uint8Array[], timeoutMs?: number): Promise<{ read: VerifiedStateRead; lines: string[] }> {
  const base = parseRpcUrl(url);
  const client = new RpcClient(base, timeoutMs === undefined ? {} : { timeoutMs });
  const doc = await client.getState(contract, keys.map((k) => `0x${toHex(k)}`));
  let read: VerifiedStateRead;
  try {
    read = verifyStateProof(doc, anchor, contract, keys);
  } catch (e) {
    if (isXshardError(e)) throw new XshardError(e.code, `${base}/v1/state/${contract}: ${e.message.replace(/\s*\n\s*/g, " ")}`, { ...e.data });
    throw e;
  }
  const at = read.from === "genesis" ? "genesis" : `after transaction ${read.from.seq} (Stage-2 block ${read.from.stage2Block}, slot ${read.from.slot})`;
  return {
    read,
    lines: [
      `valid: ${contract} state ${read.position}, root ${toHex(read.root)}, ${at}; checked against genesis ${toHex(anchor.genesisRoot).slice(0, 16)}…`,
      ...read.keys.map((k, i) => `  0x${toHex(k)}: ${read.values[i] === null ? "absent" : `0x${toHex(read.values[i] as Uint8Array)}`}`),
    ],
  };
}

export function addStateCommand(program: Command): void {
  program
    .command("state")
    .description("read keys of a contract's latest affirmed state from a node, as a light client: the witness is checked against a root proven from the trust anchor")
    .requiredOption("--rpc <url>", "the node's HTTP API")
    .requiredOption("--contract <id>", "the contract")
    .option("--key <key>", "a key (0x-hex, or text); repeat for several", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--genesis <file>", "trust anchor: the chain's genesis file (a devnet's genesis.json)")
    .option("--checkpoint <file>", "trust anchor: a checkpoint file")
    .action(async (o: { rpc: string; contract: string; key: string[]; genesis?: string; checkpoint?: string }) => {
      parseRpcUrl(o.rpc);
      const keys = parseStateKeyFlags(o.key);
      const anchor = loadTrustAnchor(o);
      const { lines } = await readStateOverRpc(o.rpc, anchor, o.contract, keys);
      for (const line of lines) console.log(line);
    });
}
