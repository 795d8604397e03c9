/**
 * The lock2pc transition vectors (test/vectors/lock2pc/<transition>/<case>.json): the JSON forms of
 * the lock2pc state, blocks, operations and lock proofs, and the generator of every case.
 * Regenerate with `UPDATE_VECTORS=1 npx vitest run test/vectors/lock2pc.test.ts`; the files are
 * committed and reviewed, and the runner (lock2pc.test.ts) checks them against the spec.
 */
import { buildShardAttestation } from "../../src/protocols/shards/attestation.js";
import {
  admittedTxFromJson,
  admittedTxToJson,
  attestationFromJson,
  attestationToJson,
  parseArray,
  parseBytes,
  parseFields,
  parseInteger,
  parseString,
  shardsStateFromJson,
  shardsStateToJson,
  snapsFromJson,
  snapsToJson,
  toHexJson,
  malformed,
  type JsonObject,
} from "../../src/protocols/shards/json.js";
import type { AdmittedTx, ExecOutcome, ShardsContext, Snap } from "../../src/protocols/shards/world.js";
import { DOMAIN_LOCK2PC_BLOCK, RESULT_KINDS, type ResultLeafValue, type ShardHeaderValue } from "../../src/protocols/lock2pc/containers.js";
import { buildLock2pcBlock, computeLock2pcBlockRoot, processCrosslink, processLock2pcBlock, type AppliedBlock, type Lock2pcBlock, type Lock2pcOp } from "../../src/protocols/lock2pc/block.js";
import { createLock2pcState, processAbort, processCommit, processLock, type Lock2pcState, type OpResult } from "../../src/protocols/lock2pc/transitions.js";
import type { LockProof } from "../../src/protocols/lock2pc/rules.js";
import type { Attestation } from "../../src/chain/index.js";
import { createChainDriver, errorCodeOf, flip, type ChainJson, type Vector } from "./baselines.js";

// ---------------------------------------------------------------- JSON forms

const HEADER_FIELDS = ["shard", "slot", "proposer", "parentRoot", "opsRoot", "resultsRoot", "stateRoot"] as const;

export function headerToJson(h: ShardHeaderValue): JsonObject {
  return { shard: h.shard, slot: h.slot, proposer: h.proposer, parentRoot: toHexJson(h.parentRoot), opsRoot: toHexJson(h.opsRoot), resultsRoot: toHexJson(h.resultsRoot), stateRoot: toHexJson(h.stateRoot) };
}

export function headerFromJson(x: unknown, what: string): ShardHeaderValue {
  const o = parseFields(x, HEADER_FIELDS, what);
  return {
    shard: parseInteger(o["shard"], `${what}.shard`),
    slot: parseInteger(o["slot"], `${what}.slot`),
    proposer: parseInteger(o["proposer"], `${what}.proposer`),
    parentRoot: parseBytes(o["parentRoot"], `${what}.parentRoot`, 32),
    opsRoot: parseBytes(o["opsRoot"], `${what}.opsRoot`, 32),
    resultsRoot: parseBytes(o["resultsRoot"], `${what}.resultsRoot`, 32),
    stateRoot: parseBytes(o["stateRoot"], `${what}.stateRoot`, 32),
  };
}

export function lock2pcStateToJson(s: Lock2pcState): JsonObject {
  return {
    world: shardsStateToJson(s.world),
    locks: [...s.locks].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, seq]) => [id, seq]),
    heads: s.heads.map((h) => [toHexJson(h.root), h.slot]),
    crosslinks: [...s.crosslinks].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, h]) => [key, headerToJson(h)]),
  };
}

export function lock2pcStateFromJson(x: unknown): Lock2pcState {
  const o = parseFields(x, ["world", "locks", "heads", "crosslinks"], "state");
  const locks = new Map(
    parseArray(o["locks"], "state.locks").map((e, i) => {
      const [id, seq] = parseArray(e, `state.locks[${i}]`, 2);
      return [parseString(id, `state.locks[${i}].contract`), parseInteger(seq, `state.locks[${i}].seq`)] as const;
    }),
  );
  const heads = parseArray(o["heads"], "state.heads").map((h, i) => {
    const [root, slot] = parseArray(h, `state.heads[${i}]`, 2);
    return { root: parseBytes(root, `state.heads[${i}].root`, 32), slot: parseInteger(slot, `state.heads[${i}].slot`) };
  });
  const crosslinks = new Map(
    parseArray(o["crosslinks"], "state.crosslinks").map((e, i) => {
      const [key, h] = parseArray(e, `state.crosslinks[${i}]`, 2);
      return [parseString(key, `state.crosslinks[${i}].key`), headerFromJson(h, `state.crosslinks[${i}].header`)] as const;
    }),
  );
  return { world: shardsStateFromJson(o["world"], "state.world"), locks, heads, crosslinks };
}

export function leafToJson(l: ResultLeafValue): JsonObject {
  return { kind: l.kind, txId: toHexJson(l.txId), contract: toHexJson(l.contract), stateRoot: toHexJson(l.stateRoot) };
}

export function leafFromJson(x: unknown, what: string): ResultLeafValue {
  const o = parseFields(x, ["kind", "txId", "contract", "stateRoot"], what);
  return { kind: parseInteger(o["kind"], `${what}.kind`), txId: parseBytes(o["txId"], `${what}.txId`, 32), contract: parseBytes(o["contract"], `${what}.contract`), stateRoot: parseBytes(o["stateRoot"], `${what}.stateRoot`, 32) };
}

export function proofToJson(p: LockProof): JsonObject {
  return { shard: p.shard, slot: p.slot, index: p.index, length: p.length, leaf: leafToJson(p.leaf), branch: p.branch.map(toHexJson) };
}

export function proofFromJson(x: unknown, what: string): LockProof {
  const o = parseFields(x, ["shard", "slot", "index", "length", "leaf", "branch"], what);
  return {
    shard: parseInteger(o["shard"], `${what}.shard`),
    slot: parseInteger(o["slot"], `${what}.slot`),
    index: parseInteger(o["index"], `${what}.index`),
    length: parseInteger(o["length"], `${what}.length`),
    leaf: leafFromJson(o["leaf"], `${what}.leaf`),
    branch: parseArray(o["branch"], `${what}.branch`).map((b, i) => parseBytes(b, `${what}.branch[${i}]`, 32)),
  };
}

export function opToJson(op: Lock2pcOp): JsonObject {
  if (op.kind === "commit") return { kind: op.kind, tx: admittedTxToJson(op.tx), proofs: op.proofs.map(proofToJson), pinned: snapsToJson(op.pinned) };
  if (op.kind === "abort") return { kind: op.kind, tx: admittedTxToJson(op.tx), proofs: op.proofs.map(proofToJson) };
  return { kind: op.kind, tx: admittedTxToJson(op.tx) };
}

export function opFromJson(x: unknown, what: string): Lock2pcOp {
  const kind = parseString(typeof x === "object" && x !== null ? (x as JsonObject)["kind"] : undefined, `${what}.kind`);
  if (kind === "execute" || kind === "lock") return { kind, tx: admittedTxFromJson(parseFields(x, ["kind", "tx"], what)["tx"], `${what}.tx`) };
  if (kind === "commit") {
    const o = parseFields(x, ["kind", "tx", "proofs", "pinned"], what);
    return { kind, tx: admittedTxFromJson(o["tx"], `${what}.tx`), proofs: parseArray(o["proofs"], `${what}.proofs`).map((p, i) => proofFromJson(p, `${what}.proofs[${i}]`)), pinned: snapsFromJson(o["pinned"], `${what}.pinned`) };
  }
  if (kind === "abort") {
    const o = parseFields(x, ["kind", "tx", "proofs"], what);
    return { kind, tx: admittedTxFromJson(o["tx"], `${what}.tx`), proofs: parseArray(o["proofs"], `${what}.proofs`).map((p, i) => proofFromJson(p, `${what}.proofs[${i}]`)) };
  }
  return malformed(`${what}.kind`, "execute, lock, commit or abort");
}

export function blockToJson(b: Lock2pcBlock): JsonObject {
  return { header: headerToJson(b.header), ops: b.ops.map(opToJson), attestation: attestationToJson(b.attestation) };
}

export function blockFromJson(x: unknown, what: string): Lock2pcBlock {
  const o = parseFields(x, ["header", "ops", "attestation"], what);
  return { header: headerFromJson(o["header"], `${what}.header`), ops: parseArray(o["ops"], `${what}.ops`).map((op, i) => opFromJson(op, `${what}.ops[${i}]`)), attestation: attestationFromJson(o["attestation"], `${what}.attestation`) };
}

const outcomeToJson = (o: ExecOutcome | null | undefined): unknown => (o ? [o.status, o.reason] : null);

/**
 * The post of an op transition or a block: the state, the result leaves, and the outcome of an
 * executed program (commit, execute; null otherwise) — for a block, one per op in block order.
 */
export function opResultToJson(r: OpResult | AppliedBlock): JsonObject {
  const outcome = "applied" in r ? r.applied.map((a) => outcomeToJson(a.outcome)) : outcomeToJson(r.outcome);
  return { state: lock2pcStateToJson(r.state), leaves: r.leaves.map(leafToJson), outcome };
}

export function crosslinkInputFromJson(x: unknown): { header: ShardHeaderValue; attestation: Attestation } {
  const o = parseFields(x, ["header", "attestation"], "input");
  return { header: headerFromJson(o["header"], "input.header"), attestation: attestationFromJson(o["attestation"], "input.attestation") };
}

export function opInputFromJson(x: unknown, kind: "lock" | "commit" | "abort"): { shard: number; op: Lock2pcOp } {
  const o = parseFields(x, ["shard", "op"], "input");
  const op = opFromJson(o["op"], "input.op");
  if (op.kind !== kind) malformed("input.op.kind", kind);
  return { shard: parseInteger(o["shard"], "input.shard"), op };
}

// ---------------------------------------------------------------- the cases

/** Counters a, c on shard 0 and b, d on shard 1: alice's {a,b}, bob's {a,d} (older wins a), alice's local {c}. */
const SCENARIO = {
  accounts: [
    { name: "alice", balance: "1000000000000" },
    { name: "bob", balance: "1000000000000" },
  ],
  contracts: [
    { id: "a", code: "counter", placement: 0 },
    { id: "b", code: "counter", placement: 1 },
    { id: "c", code: "counter", placement: 0 },
    { id: "d", code: "counter", placement: 1 },
  ],
  transactions: [
    { slot: 0, sender: "alice", program: { steps: [{ call: "a.inc" }, { call: "b.inc" }] } },
    { slot: 0, sender: "bob", program: { steps: [{ call: "a.inc" }, { call: "d.inc" }] } },
    { slot: 0, sender: "alice", program: { steps: [{ call: "c.inc" }] } },
  ],
};

/** `blockTxLimit` is not a lock2pc rule (kept so both baselines' fixtures name their chain alike). */
export const LOCK2PC_CHAIN: ChainJson = { seed: "vectors", validators: 16, committeeSize: 4, shards: 2, blockTxLimit: 8, scenario: SCENARIO };

export function generateLock2pcVectors(): Record<string, Vector> {
  const d = createChainDriver("lock2pc", LOCK2PC_CHAIN);
  const ctx: ShardsContext = d.ctx;
  const { state: world, admitted } = d.admit(d.genesis, 0);
  const [ab, ad, c] = [admitted[0]!, admitted[1]!, admitted[2]!];
  const genesis = createLock2pcState(world, 2);
  const out: Record<string, Vector> = {};
  const sign = (body: { header: ShardHeaderValue; ops: readonly Lock2pcOp[] }): Lock2pcBlock => ({ ...body, attestation: buildShardAttestation(ctx, body.header.shard, DOMAIN_LOCK2PC_BLOCK, computeLock2pcBlockRoot(body.header)) });
  const vector = (transition: string, description: string, pre: Lock2pcState, input: unknown, apply: () => JsonObject): Vector => {
    let post: unknown = null;
    const error = errorCodeOf(() => {
      post = apply();
    });
    return { transition, description, chain: LOCK2PC_CHAIN, pre: lock2pcStateToJson(pre), input, post, error };
  };
  const blockVector = (description: string, pre: Lock2pcState, b: Lock2pcBlock): Vector => vector("processLock2pcBlock", description, pre, blockToJson(b), () => opResultToJson(processLock2pcBlock(pre, b, ctx)));

  // Slot 0: both shards lock for {a,b} then {a,d}; shard 0 also runs the local {c}.
  const slot0Ops = (y: number): Lock2pcOp[] => [{ kind: "lock", tx: ab }, { kind: "lock", tx: ad }, ...(y === 0 ? [{ kind: "execute" as const, tx: c }] : [])];
  const built0 = buildLock2pcBlock(genesis, 0, 0, slot0Ops(0), ctx);
  const block0 = sign(built0.body);
  const built1 = buildLock2pcBlock(built0.applied.state, 1, 0, slot0Ops(1), ctx);
  const block1 = sign(built1.body);
  const applied = built1.applied.state;
  let linked = applied;
  for (const b of [block0, block1]) linked = processCrosslink(linked, b.header, b.attestation, ctx);
  const proofsOf = (t: AdmittedTx): LockProof[] =>
    [built0.applied, built1.applied].flatMap((a, y) =>
      a.leaves.flatMap((leaf, index) => (toHexJson(leaf.txId) === toHexJson(t.txId) && (leaf.kind === RESULT_KINDS.locked || leaf.kind === RESULT_KINDS.refused) ? [{ shard: y, slot: 0, index, length: a.leaves.length, leaf, branch: a.results.prove(index) }] : [])),
    );
  const abProofs = proofsOf(ab);
  const adProofs = proofsOf(ad);
  const pinnedB = new Map([["b", applied.world.states.get("b")!]]);
  const pinnedA = new Map([["a", applied.world.states.get("a")!]]);

  // processLock2pcBlock.
  out["processLock2pcBlock/slot0_locks_and_execute"] = blockVector("shard 0 at slot 0: {a,b} locks a, {a,d} is refused a (older wins), the local {c} runs; roots re-computed and compared", genesis, block0);
  const commitOps: Lock2pcOp[] = [
    { kind: "commit", tx: ab, proofs: abProofs, pinned: pinnedB },
    { kind: "abort", tx: ad, proofs: adProofs },
  ];
  const block0s1 = sign(buildLock2pcBlock(linked, 0, 1, commitOps, ctx).body);
  out["processLock2pcBlock/slot1_commit_and_abort"] = blockVector("shard 0 at slot 1: {a,b} commits with both lock proofs (a counts 1, its lock released), {a,d} aborts (a refused)", linked, block0s1);
  const resign = (b: Lock2pcBlock, h: ShardHeaderValue): Lock2pcBlock => sign({ header: h, ops: b.ops });
  out["processLock2pcBlock/wrong_state_root"] = blockVector("the state root is not what the ops give", genesis, resign(block0, { ...block0.header, stateRoot: flip(block0.header.stateRoot) }));
  out["processLock2pcBlock/wrong_results_root"] = blockVector("the results root is not what the ops give", genesis, resign(block0, { ...block0.header, resultsRoot: flip(block0.header.resultsRoot) }));
  out["processLock2pcBlock/wrong_ops_root"] = blockVector("the ops root does not commit the ops", genesis, resign(block0, { ...block0.header, opsRoot: flip(block0.header.opsRoot) }));
  out["processLock2pcBlock/wrong_proposer"] = blockVector("signed as proposer by a validator who is not the slot's proposer", genesis, resign(block0, { ...block0.header, proposer: block0.header.proposer + 1 }));
  out["processLock2pcBlock/wrong_parent"] = blockVector("the parent root is not shard 0's head", genesis, resign(block0, { ...block0.header, parentRoot: new Uint8Array(32).fill(3) }));
  out["processLock2pcBlock/wrong_slot"] = blockVector("a block of slot 0 after shard 0's head is at slot 0", built0.applied.state, block0);
  out["processLock2pcBlock/attestation_of_other_committee"] = blockVector("the attestation is shard 1's committee's", genesis, { ...block0, attestation: block1.attestation });
  const forgedProofs = abProofs.map((p) => (p.shard === 1 ? { ...p, leaf: { ...p.leaf, kind: RESULT_KINDS.refused } } : p));
  out["processLock2pcBlock/commit_with_forged_proof"] = blockVector("the commit's lock proof of b says refused (not the leaf under the crosslinked results root)", linked, {
    ...block0s1,
    ops: [{ kind: "commit", tx: ab, proofs: forgedProofs, pinned: pinnedB }, commitOps[1]!],
  });

  // processCrosslink.
  const crosslinkVector = (description: string, pre: Lock2pcState, header: ShardHeaderValue, attestation: Attestation): Vector =>
    vector("processCrosslink", description, pre, { header: headerToJson(header), attestation: attestationToJson(attestation) }, () => lock2pcStateToJson(processCrosslink(pre, header, attestation, ctx)));
  out["processCrosslink/shard0_slot0"] = crosslinkVector("shard 0's header of slot 0 is recorded under 0:0", applied, block0.header, block0.attestation);
  out["processCrosslink/duplicate"] = crosslinkVector("shard 0's header of slot 0 a second time", linked, block0.header, block0.attestation);
  const sig = block0.attestation.signature.slice();
  sig[9] = sig[9]! ^ 1;
  out["processCrosslink/bad_signature"] = crosslinkVector("one bit of the aggregate flipped", applied, block0.header, { ...block0.attestation, signature: sig });
  out["processCrosslink/no_supermajority"] = crosslinkVector("two of four committee members signed", applied, block0.header, buildShardAttestation(ctx, 0, DOMAIN_LOCK2PC_BLOCK, computeLock2pcBlockRoot(block0.header), ctx.committees[0]!.slice(0, 2)));
  const wrongProposer = { ...block0.header, proposer: block0.header.proposer + 1 };
  out["processCrosslink/wrong_proposer"] = crosslinkVector("the header names another proposer than the slot's (signed by the committee)", applied, wrongProposer, sign({ header: wrongProposer, ops: [] }).attestation);

  // processLock (no input it refuses: a held lock is a refusal leaf, not an error).
  const opVector = (transition: string, description: string, pre: Lock2pcState, shard: number, op: Lock2pcOp, apply: () => OpResult): Vector =>
    vector(transition, description, pre, { shard, op: opToJson(op) }, () => opResultToJson(apply()));
  out["processLock/granted"] = opVector("processLock", "{a,b} on shard 0: a is free, locked for it (state pinned)", genesis, 0, { kind: "lock", tx: ab }, () => processLock(genesis, 0, ab));
  const afterAb = processLock(genesis, 0, ab).state;
  out["processLock/refused_held"] = opVector("processLock", "{a,d} on shard 0 after {a,b} locked a: refused, the lock stays with {a,b}", afterAb, 0, { kind: "lock", tx: ad }, () => processLock(afterAb, 0, ad));
  out["processLock/granted_other_shard"] = opVector("processLock", "{a,d} on shard 1: d is free, locked", genesis, 1, { kind: "lock", tx: ad }, () => processLock(genesis, 1, ad));

  // processCommit.
  const commitVector = (description: string, pre: Lock2pcState, shard: number, t: AdmittedTx, proofs: LockProof[], pinned: ReadonlyMap<string, Snap>): Vector =>
    opVector("processCommit", description, pre, shard, { kind: "commit", tx: t, proofs, pinned }, () => processCommit(pre, shard, t, proofs, pinned, ctx));
  out["processCommit/shard0"] = commitVector("{a,b} on shard 0: both proofs locked, b read through its pinned state; a counts 1 and is unlocked", linked, 0, ab, abProofs, pinnedB);
  out["processCommit/shard1"] = commitVector("{a,b} on shard 1: a read through its pinned state; b counts 1 and is unlocked", linked, 1, ab, abProofs, pinnedA);
  out["processCommit/forged_proof"] = commitVector("b's proof turned into a refusal", linked, 0, ab, forgedProofs, pinnedB);
  out["processCommit/missing_proof"] = commitVector("no proof for b", linked, 0, ab, abProofs.filter((p) => p.shard === 0), pinnedB);
  out["processCommit/unknown_header"] = commitVector("proofs naming slot 7, which has no crosslink", linked, 0, ab, abProofs.map((p) => ({ ...p, slot: 7 })), pinnedB);
  out["processCommit/not_all_locked"] = commitVector("{a,d} commits although a was refused", linked, 1, ad, adProofs, pinnedA);
  const otherB = new Map([["b", { ...pinnedB.get("b")!, kv: pinnedB.get("b")!.kv.applyWrites(new Map([["00", new Uint8Array([1])]])) }]]);
  out["processCommit/wrong_pinned_state"] = commitVector("b's state given is not the one pinned in its proof", linked, 0, ab, abProofs, otherB);
  out["processCommit/lock_not_held"] = commitVector("shard 0 no longer holds a's lock for {a,b}", { ...linked, locks: new Map([...linked.locks].filter(([id]) => id !== "a")) }, 0, ab, abProofs, pinnedB);

  // processAbort.
  const abortVector = (description: string, shard: number, t: AdmittedTx, proofs: LockProof[]): Vector =>
    opVector("processAbort", description, linked, shard, { kind: "abort", tx: t, proofs }, () => processAbort(linked, shard, t, proofs));
  out["processAbort/releases_granted"] = abortVector("{a,d} on shard 1: a was refused, so the lock on d is released", 1, ad, adProofs);
  out["processAbort/nothing_granted_here"] = abortVector("{a,d} on shard 0: a was refused, nothing to release", 0, ad, adProofs);
  out["processAbort/all_locked"] = abortVector("{a,b} aborts although both locks were granted", 0, ab, abProofs);
  out["processAbort/forged_proof"] = abortVector("a's refusal turned into a lock", 1, ad, adProofs.map((p) => (p.shard === 0 ? { ...p, leaf: { ...p.leaf, kind: RESULT_KINDS.locked } } : p)));
  out["processAbort/missing_proof"] = abortVector("no proof for d", 1, ad, adProofs.filter((p) => p.shard === 0));
  return out;
}
