/**
 * Compact JSON forms of the two-stage chain's agreed state (`DelayedState`), its Stage-1 and
 * Stage-2 blocks, affirmation batches and evidence, for the transition vectors
 * (test/vectors/delayed/). Bytes are 0x-hex, amounts decimal strings, transactions their canonical
 * signed-transaction bytes, validators their indices (the validator set itself comes from the
 * chain's parameters, as every node derives it). Contracts are written in registration order (the
 * order the adaptive assignment and the proposer's choice read them in), accounts sorted.
 * Parsing is strict: a missing or unknown field, a value of the wrong form, a validator index out
 * of range or a transaction id that is not its bytes' id is `MALFORMED_JSON` naming where.
 */
import type { Attestation, Validator } from "../../chain/index.js";
import { decodeSignedTx, encodeSignedTx, computeTxId } from "../../program/index.js";
import type { ContractId } from "../../types.js";
import { malformed, parseArray, parseBig, parseBool, parseBytes, parseFields, parseInteger, parseString, toHexJson, type JsonObject } from "../shards/json.js";
import { CoAccessGraph } from "./assignment.js";
import type { AffirmationClaim, Batch, CreatedRef, SignedStage2Block } from "./blocks.js";
import { decodeContractId, encodeContractId, type AffirmationValue, type ResultLeafValue } from "./containers.js";
import { EvidenceProof, type EvidenceProofValue, type ProvenEvidenceValue } from "./faults.js";
import type { Move } from "./epoch.js";
import type { AssumedRoot } from "./rules.js";
import type { SignedStage1Block } from "./stage1.js";
import type { Stage2Effects } from "./stage2.js";
import { createFlagLog, createLog, createRootLog, getLogItems, type ContractRecord, type DelayedParams, type DelayedState, type SequencedTx } from "./state.js";

const byKey = <T>([a]: [string, T], [b]: [string, T]): number => (a < b ? -1 : a > b ? 1 : 0);
const ints = (x: unknown, what: string): number[] => parseArray(x, what).map((v, i) => parseInteger(v, `${what}[${i}]`));
const hexes = (x: unknown, what: string, length?: number): Uint8Array[] => parseArray(x, what).map((v, i) => parseBytes(v, `${what}[${i}]`, length));
const bools = (x: unknown, what: string): boolean[] => parseArray(x, what).map((v, i) => parseBool(v, `${what}[${i}]`));

function validatorAt(validators: readonly Validator[], x: unknown, what: string): Validator {
  const v = validators[parseInteger(x, what)];
  if (!v) malformed(what, `a validator index below ${validators.length}`);
  return v;
}

// ---------------------------------------------------------------- the agreed state

function contractToJson(r: ContractRecord): JsonObject {
  return {
    id: r.id,
    committee: r.committee,
    codeHash: r.codeHash,
    queue: getLogItems(r.queue),
    chainRoots: getLogItems(r.chainRoots).map(toHexJson),
    endedAt: getLogItems(r.endedAt),
    dropped: r.dropped,
    awaitingCreator: r.awaitingCreator,
    creator: r.creator ?? null,
    pendingCreation: r.pendingCreation ? { parent: r.pendingCreation.parent, parentPosition: r.pendingCreation.parentPosition } : null,
  };
}

function contractFromJson(x: unknown, what: string): ContractRecord {
  const o = parseFields(x, ["id", "committee", "codeHash", "queue", "chainRoots", "endedAt", "dropped", "awaitingCreator", "creator", "pendingCreation"], what);
  const r: ContractRecord = {
    id: parseString(o["id"], `${what}.id`),
    committee: parseInteger(o["committee"], `${what}.committee`),
    codeHash: parseString(o["codeHash"], `${what}.codeHash`),
    queue: createLog(ints(o["queue"], `${what}.queue`)),
    chainRoots: createRootLog(hexes(o["chainRoots"], `${what}.chainRoots`, 32)),
    endedAt: createFlagLog(bools(o["endedAt"], `${what}.endedAt`)),
    dropped: parseBool(o["dropped"], `${what}.dropped`),
    awaitingCreator: parseBool(o["awaitingCreator"], `${what}.awaitingCreator`),
  };
  const withCreator = o["creator"] === null ? r : { ...r, creator: parseInteger(o["creator"], `${what}.creator`) };
  if (o["pendingCreation"] === null) return withCreator;
  const p = parseFields(o["pendingCreation"], ["parent", "parentPosition"], `${what}.pendingCreation`);
  return { ...withCreator, pendingCreation: { parent: parseString(p["parent"], `${what}.pendingCreation.parent`), parentPosition: parseInteger(p["parentPosition"], `${what}.pendingCreation.parentPosition`) } };
}

function sequencedTxToJson(t: SequencedTx): JsonObject {
  return { seq: t.seq, txId: toHexJson(t.txId), stx: toHexJson(encodeSignedTx(t.stx)), positions: [...t.positions], stage1Slot: t.stage1Slot };
}

function sequencedTxFromJson(x: unknown, what: string): SequencedTx {
  const o = parseFields(x, ["seq", "txId", "stx", "positions", "stage1Slot"], what);
  const stx = decodeSignedTx(parseBytes(o["stx"], `${what}.stx`));
  const txId = computeTxId(stx);
  if (toHexJson(txId) !== parseString(o["txId"], `${what}.txId`)) malformed(`${what}.txId`, "the id of the transaction's bytes");
  const positions = new Map<ContractId, number>(
    parseArray(o["positions"], `${what}.positions`).map((p, i) => {
      const [id, pos] = parseArray(p, `${what}.positions[${i}]`, 2);
      return [parseString(id, `${what}.positions[${i}].contract`), parseInteger(pos, `${what}.positions[${i}].position`)];
    }),
  );
  return { seq: parseInteger(o["seq"], `${what}.seq`), txId, stx, positions, stage1Slot: parseInteger(o["stage1Slot"], `${what}.stage1Slot`) };
}

/** The state without its parameters and validator set (the fixture's chain gives those). */
export function delayedStateToJson(s: DelayedState): JsonObject {
  return {
    genesisRoot: toHexJson(s.genesisRoot),
    committees: s.committees.map((c) => c.map((v) => v.index)),
    slashed: [...s.slashed].sort((a, b) => a - b),
    balances: [...s.beacon.balances].sort(byKey).map(([a, v]) => [a, String(v)]),
    nonces: [...s.beacon.nonces].sort(byKey).map(([a, n]) => [a, String(n)]),
    stage1Root: toHexJson(s.stage1Root),
    stage2Root: toHexJson(s.stage2Root),
    stage1Slot: s.stage1Slot,
    stage2Number: s.stage2Number,
    stage2Slot: s.stage2Slot,
    stage1BaseFee: String(s.stage1BaseFee),
    contracts: [...s.contracts.values()].map(contractToJson),
    txs: getLogItems(s.txs).map(sequencedTxToJson),
    graph: s.graph ? s.graph.getEdges() : null,
  };
}

const STATE_FIELDS = ["genesisRoot", "committees", "slashed", "balances", "nonces", "stage1Root", "stage2Root", "stage1BaseFee", "contracts", "txs", "graph"];
/** The heads' slot and number, added with the slot rule (`BAD_SLOT`); a document written before has none of them. */
const HEAD_FIELDS = ["stage1Slot", "stage2Number", "stage2Slot"];

/**
 * A state written before the heads' slots were kept (no `stage1Slot`, `stage2Number`, `stage2Slot`)
 * is read with them −1 — the next block is not held to the slot rule — unless `heads` gives them
 * (a node's snapshot knows its heads' slots).
 */
export function delayedStateFromJson(x: unknown, params: DelayedParams, validators: readonly Validator[], what = "state", heads?: { stage1Slot: number; stage2Number: number; stage2Slot: number }): DelayedState {
  const legacy = typeof x === "object" && x !== null && !Array.isArray(x) && !HEAD_FIELDS.some((k) => k in x);
  const o = parseFields(x, legacy ? STATE_FIELDS : [...STATE_FIELDS, ...HEAD_FIELDS], what);
  const head = (k: string): number => (legacy ? (heads?.[k as keyof typeof heads] ?? -1) : parseHeadSlot(o[k], `${what}.${k}`));
  const accounts = (key: string): Map<string, bigint> =>
    new Map(
      parseArray(o[key], `${what}.${key}`).map((e, i) => {
        const [a, v] = parseArray(e, `${what}.${key}[${i}]`, 2);
        return [parseString(a, `${what}.${key}[${i}].account`), parseBig(v, `${what}.${key}[${i}].value`)] as const;
      }),
    );
  const contracts = new Map<ContractId, ContractRecord>();
  for (const [i, c] of parseArray(o["contracts"], `${what}.contracts`).entries()) {
    const r = contractFromJson(c, `${what}.contracts[${i}]`);
    if (contracts.has(r.id)) malformed(`${what}.contracts[${i}].id`, "a contract id not listed before");
    contracts.set(r.id, r);
  }
  const txs = parseArray(o["txs"], `${what}.txs`).map((t, i) => sequencedTxFromJson(t, `${what}.txs[${i}]`));
  for (const [i, t] of txs.entries()) if (t.seq !== i) malformed(`${what}.txs[${i}].seq`, `${i} (the sequence in order)`);
  const graph =
    o["graph"] === null
      ? null
      : CoAccessGraph.fromEdges(
          parseArray(o["graph"], `${what}.graph`).map((e, i) => {
            const [a, b, w] = parseArray(e, `${what}.graph[${i}]`, 3);
            if (typeof w !== "number" || !(w > 0)) malformed(`${what}.graph[${i}].weight`, "a positive number");
            return [parseString(a, `${what}.graph[${i}].a`), parseString(b, `${what}.graph[${i}].b`), w] as const;
          }),
        );
  return {
    params,
    genesisRoot: parseBytes(o["genesisRoot"], `${what}.genesisRoot`, 32),
    validators,
    committees: parseArray(o["committees"], `${what}.committees`).map((c, k) => parseArray(c, `${what}.committees[${k}]`).map((v, j) => validatorAt(validators, v, `${what}.committees[${k}][${j}]`))),
    slashed: new Set(parseArray(o["slashed"], `${what}.slashed`).map((v, i) => validatorAt(validators, v, `${what}.slashed[${i}]`).index)),
    beacon: { balances: accounts("balances"), nonces: accounts("nonces") },
    stage1Root: parseBytes(o["stage1Root"], `${what}.stage1Root`, 32),
    stage2Root: parseBytes(o["stage2Root"], `${what}.stage2Root`, 32),
    stage1Slot: head("stage1Slot"),
    stage2Number: head("stage2Number"),
    stage2Slot: head("stage2Slot"),
    stage1BaseFee: parseBig(o["stage1BaseFee"], `${what}.stage1BaseFee`),
    contracts,
    txs: createLog(txs),
    graph,
  };
}

/** A head's slot or number: a whole number ≥ −1 (−1: no block yet). */
function parseHeadSlot(x: unknown, what: string): number {
  const n = parseInteger(x, what);
  if (n < -1) malformed(what, "a whole number ≥ −1");
  return n;
}

// ---------------------------------------------------------------- Stage 1

export function stage1BlockToJson(b: SignedStage1Block): JsonObject {
  const h = b.header;
  return {
    header: { slot: h.slot, proposer: h.proposer, parentRoot: toHexJson(h.parentRoot), txsRoot: toHexJson(h.txsRoot), firstSeq: h.firstSeq },
    txs: b.txs.map((stx) => toHexJson(encodeSignedTx(stx))),
    attestation: { signers: [...b.attestation.signers], signature: toHexJson(b.attestation.signature) },
  };
}

export function stage1BlockFromJson(x: unknown, what = "block"): SignedStage1Block {
  const o = parseFields(x, ["header", "txs", "attestation"], what);
  const h = parseFields(o["header"], ["slot", "proposer", "parentRoot", "txsRoot", "firstSeq"], `${what}.header`);
  const a = parseFields(o["attestation"], ["signers", "signature"], `${what}.attestation`);
  return {
    header: {
      slot: parseInteger(h["slot"], `${what}.header.slot`),
      proposer: parseInteger(h["proposer"], `${what}.header.proposer`),
      parentRoot: parseBytes(h["parentRoot"], `${what}.header.parentRoot`, 32),
      txsRoot: parseBytes(h["txsRoot"], `${what}.header.txsRoot`, 32),
      firstSeq: parseInteger(h["firstSeq"], `${what}.header.firstSeq`),
    },
    txs: parseArray(o["txs"], `${what}.txs`).map((t, i) => decodeSignedTx(parseBytes(t, `${what}.txs[${i}]`))),
    attestation: { signers: ints(a["signers"], `${what}.attestation.signers`), signature: parseBytes(a["signature"], `${what}.attestation.signature`) },
  };
}

// ---------------------------------------------------------------- batches, evidence, Stage 2

function attestationToJson(a: Attestation): JsonObject {
  return { message: toHexJson(a.message), signers: [...a.signers], signature: toHexJson(a.signature), weight: a.weight };
}

function attestationFromJson(x: unknown, what: string): Attestation {
  const o = parseFields(x, ["message", "signers", "signature", "weight"], what);
  return { message: parseBytes(o["message"], `${what}.message`), signers: ints(o["signers"], `${what}.signers`), signature: parseBytes(o["signature"], `${what}.signature`), weight: parseInteger(o["weight"], `${what}.weight`) };
}

const assumedToJson = (a: AssumedRoot): JsonObject => ({ contract: a.contract, position: a.position, root: toHexJson(a.root) });

function assumedFromJson(x: unknown, what: string): AssumedRoot {
  const o = parseFields(x, ["contract", "position", "root"], what);
  return { contract: parseString(o["contract"], `${what}.contract`), position: parseInteger(o["position"], `${what}.position`), root: parseBytes(o["root"], `${what}.root`, 32) };
}

function affirmationToJson(a: AffirmationValue): JsonObject {
  return {
    contract: decodeContractId(a.contract),
    first: a.first,
    last: a.last,
    preRoot: toHexJson(a.preRoot),
    postRoot: toHexJson(a.postRoot),
    resultsRoot: toHexJson(a.resultsRoot),
    assumptions: a.assumptions.map((x) => assumedToJson({ contract: decodeContractId(x.contract), position: x.position, root: x.root })),
  };
}

function affirmationFromJson(x: unknown, what: string): AffirmationValue {
  const o = parseFields(x, ["contract", "first", "last", "preRoot", "postRoot", "resultsRoot", "assumptions"], what);
  return {
    contract: encodeContractId(parseString(o["contract"], `${what}.contract`)),
    first: parseInteger(o["first"], `${what}.first`),
    last: parseInteger(o["last"], `${what}.last`),
    preRoot: parseBytes(o["preRoot"], `${what}.preRoot`, 32),
    postRoot: parseBytes(o["postRoot"], `${what}.postRoot`, 32),
    resultsRoot: parseBytes(o["resultsRoot"], `${what}.resultsRoot`, 32),
    assumptions: parseArray(o["assumptions"], `${what}.assumptions`).map((y, i) => {
      const a = assumedFromJson(y, `${what}.assumptions[${i}]`);
      return { contract: encodeContractId(a.contract), position: a.position, root: a.root };
    }),
  };
}

const leafToJson = (l: ResultLeafValue): JsonObject => ({ seq: l.seq, txId: toHexJson(l.txId), outcome: l.outcome, valuesRoot: toHexJson(l.valuesRoot), postRoot: toHexJson(l.postRoot) });

function leafFromJson(x: unknown, what: string): ResultLeafValue {
  const o = parseFields(x, ["seq", "txId", "outcome", "valuesRoot", "postRoot"], what);
  return { seq: parseInteger(o["seq"], `${what}.seq`), txId: parseBytes(o["txId"], `${what}.txId`, 32), outcome: parseInteger(o["outcome"], `${what}.outcome`), valuesRoot: parseBytes(o["valuesRoot"], `${what}.valuesRoot`, 32), postRoot: parseBytes(o["postRoot"], `${what}.postRoot`, 32) };
}

function claimToJson(c: AffirmationClaim): JsonObject {
  return {
    contract: c.contract,
    from: c.from,
    to: c.to,
    preRoot: toHexJson(c.preRoot),
    postRoots: c.postRoots.map(toHexJson),
    assumptions: c.assumptions.map(assumedToJson),
    leafValues: c.leafValues.map(leafToJson),
    ended: [...c.ended],
    created: c.created.map((list) => list.map((r) => ({ id: r.id, codeHash: r.codeHash, root: toHexJson(r.root) }))),
  };
}

function claimFromJson(x: unknown, what: string): AffirmationClaim {
  const o = parseFields(x, ["contract", "from", "to", "preRoot", "postRoots", "assumptions", "leafValues", "ended", "created"], what);
  const created = parseArray(o["created"], `${what}.created`).map((list, i) =>
    parseArray(list, `${what}.created[${i}]`).map((r, j): CreatedRef => {
      const c = parseFields(r, ["id", "codeHash", "root"], `${what}.created[${i}][${j}]`);
      return { id: parseString(c["id"], `${what}.created[${i}][${j}].id`), codeHash: parseString(c["codeHash"], `${what}.created[${i}][${j}].codeHash`), root: parseBytes(c["root"], `${what}.created[${i}][${j}].root`, 32) };
    }),
  );
  return {
    contract: parseString(o["contract"], `${what}.contract`),
    from: parseInteger(o["from"], `${what}.from`),
    to: parseInteger(o["to"], `${what}.to`),
    preRoot: parseBytes(o["preRoot"], `${what}.preRoot`, 32),
    postRoots: hexes(o["postRoots"], `${what}.postRoots`, 32),
    assumptions: parseArray(o["assumptions"], `${what}.assumptions`).map((y, i) => assumedFromJson(y, `${what}.assumptions[${i}]`)),
    leafValues: parseArray(o["leafValues"], `${what}.leafValues`).map((y, i) => leafFromJson(y, `${what}.leafValues[${i}]`)),
    ended: bools(o["ended"], `${what}.ended`),
    created,
  };
}

export function batchToJson(b: Batch): JsonObject {
  return {
    header: { committee: b.header.committee, round: b.header.round, gasUsed: b.header.gasUsed, executions: b.header.executions, affirmationsRoot: toHexJson(b.header.affirmationsRoot) },
    root: toHexJson(b.root),
    affirmations: b.affirmations.map(affirmationToJson),
    affirmationRoots: b.affirmationRoots.map(toHexJson),
    leaves: b.leaves.map((l) => l.map(toHexJson)),
    candidates: b.candidates.map(claimToJson),
    attestation: attestationToJson(b.attestation),
    members: b.members.map((v) => v.index),
  };
}

export function batchFromJson(x: unknown, validators: readonly Validator[], what: string): Batch {
  const o = parseFields(x, ["header", "root", "affirmations", "affirmationRoots", "leaves", "candidates", "attestation", "members"], what);
  const h = parseFields(o["header"], ["committee", "round", "gasUsed", "executions", "affirmationsRoot"], `${what}.header`);
  return {
    header: { committee: parseInteger(h["committee"], `${what}.header.committee`), round: parseInteger(h["round"], `${what}.header.round`), gasUsed: parseInteger(h["gasUsed"], `${what}.header.gasUsed`), executions: parseInteger(h["executions"], `${what}.header.executions`), affirmationsRoot: parseBytes(h["affirmationsRoot"], `${what}.header.affirmationsRoot`, 32) },
    root: parseBytes(o["root"], `${what}.root`, 32),
    affirmations: parseArray(o["affirmations"], `${what}.affirmations`).map((a, i) => affirmationFromJson(a, `${what}.affirmations[${i}]`)),
    affirmationRoots: hexes(o["affirmationRoots"], `${what}.affirmationRoots`, 32),
    leaves: parseArray(o["leaves"], `${what}.leaves`).map((l, i) => hexes(l, `${what}.leaves[${i}]`, 32)),
    candidates: parseArray(o["candidates"], `${what}.candidates`).map((c, i) => claimFromJson(c, `${what}.candidates[${i}]`)),
    attestation: attestationFromJson(o["attestation"], `${what}.attestation`),
    members: parseArray(o["members"], `${what}.members`).map((v, i) => validatorAt(validators, v, `${what}.members[${i}]`)),
  };
}

/** Evidence with its kind as the container's number (0 signed, 1 fraud: EVIDENCE_KINDS), and its proof (SSZ JSON). */
export function evidenceToJson(e: ProvenEvidenceValue): JsonObject {
  return {
    kind: e.kind,
    contract: decodeContractId(e.contract),
    position: e.position,
    batchRoot: toHexJson(e.batchRoot),
    claimedLeaf: toHexJson(e.claimedLeaf),
    recomputedLeaf: toHexJson(e.recomputedLeaf),
    proofRoot: toHexJson(e.proofRoot),
    signers: [...e.signers],
    proof: EvidenceProof.toJson(e.proof) as JsonObject,
  };
}

export function evidenceFromJson(x: unknown, what = "evidence"): ProvenEvidenceValue {
  const o = parseFields(x, ["kind", "contract", "position", "batchRoot", "claimedLeaf", "recomputedLeaf", "proofRoot", "signers", "proof"], what);
  let proof: EvidenceProofValue;
  try {
    proof = EvidenceProof.fromJson(o["proof"]);
  } catch {
    malformed(`${what}.proof`, "an evidence proof (EvidenceProof as SSZ JSON)");
  }
  return {
    proof,
    kind: parseInteger(o["kind"], `${what}.kind`),
    contract: encodeContractId(parseString(o["contract"], `${what}.contract`)),
    position: parseInteger(o["position"], `${what}.position`),
    batchRoot: parseBytes(o["batchRoot"], `${what}.batchRoot`, 32),
    claimedLeaf: parseBytes(o["claimedLeaf"], `${what}.claimedLeaf`, 32),
    recomputedLeaf: parseBytes(o["recomputedLeaf"], `${what}.recomputedLeaf`, 32),
    proofRoot: parseBytes(o["proofRoot"], `${what}.proofRoot`, 32),
    signers: ints(o["signers"], `${what}.signers`),
  };
}

export function stage2BlockToJson(b: SignedStage2Block): JsonObject {
  const h = b.header;
  return {
    header: { number: h.number, slot: h.slot, parentRoot: toHexJson(h.parentRoot), batchesRoot: toHexJson(h.batchesRoot), evidenceRoot: toHexJson(h.evidenceRoot) },
    root: toHexJson(b.root),
    inclusions: b.inclusions.map((i) => ({ batch: batchToJson(i.batch), applied: [...i.applied], root: toHexJson(i.root) })),
    evidence: b.evidence.map(evidenceToJson),
    attestation: attestationToJson(b.attestation),
    attesters: b.attesters.map((v) => v.index),
  };
}

export function stage2BlockFromJson(x: unknown, validators: readonly Validator[], what = "block"): SignedStage2Block {
  const o = parseFields(x, ["header", "root", "inclusions", "evidence", "attestation", "attesters"], what);
  const h = parseFields(o["header"], ["number", "slot", "parentRoot", "batchesRoot", "evidenceRoot"], `${what}.header`);
  return {
    header: {
      number: parseInteger(h["number"], `${what}.header.number`),
      slot: parseInteger(h["slot"], `${what}.header.slot`),
      parentRoot: parseBytes(h["parentRoot"], `${what}.header.parentRoot`, 32),
      batchesRoot: parseBytes(h["batchesRoot"], `${what}.header.batchesRoot`, 32),
      evidenceRoot: parseBytes(h["evidenceRoot"], `${what}.header.evidenceRoot`, 32),
    },
    root: parseBytes(o["root"], `${what}.root`, 32),
    inclusions: parseArray(o["inclusions"], `${what}.inclusions`).map((y, i) => {
      const inc = parseFields(y, ["batch", "applied", "root"], `${what}.inclusions[${i}]`);
      return { batch: batchFromJson(inc["batch"], validators, `${what}.inclusions[${i}].batch`), applied: ints(inc["applied"], `${what}.inclusions[${i}].applied`), root: parseBytes(inc["root"], `${what}.inclusions[${i}].root`, 32) };
    }),
    evidence: parseArray(o["evidence"], `${what}.evidence`).map((e, i) => evidenceFromJson(e, `${what}.evidence[${i}]`)),
    attestation: attestationFromJson(o["attestation"], `${what}.attestation`),
    attesters: parseArray(o["attesters"], `${what}.attesters`).map((v, i) => validatorAt(validators, v, `${what}.attesters[${i}]`)),
  };
}

// ---------------------------------------------------------------- what a transition reports (written only)

/** What importing a Stage-2 block did: per evidence item the rollback and the slashed, the applied affirmations with what became final, successors, dropped contracts. */
export function stage2EffectsToJson(e: Stage2Effects): JsonObject {
  return {
    evidence: e.evidence.map((x) => ({ rolledBack: x.rolledBack ? [...x.rolledBack].sort(byKey) : null, slashed: [...x.slashed] })),
    applied: e.applied.map((a) => ({ inclusion: a.inclusion, affirmation: a.affirmation, contract: a.claim.contract, from: a.claim.from, to: a.claim.to, finalized: [...a.finalized] })),
    created: e.created.map((c) => ({ ...c })),
    absent: [...e.absent],
    dropped: [...e.dropped],
  };
}

export const movesToJson = (moves: readonly Move[]): JsonObject[] => moves.map((m) => ({ id: m.id, from: m.from, to: m.to }));
