/**
 * The light client's flat readers and hashing (src/protocols/delayed/lightclient/leaves.ts,
 * affirmations.ts, merkle.ts `verifyBranchesFlat`, hex.ts `decodeHexInto` and the reader's
 * `object`): the same answers and the same errors, in the same order, as the field reader
 * (src/chain/fields.ts) reading the same parts, for real proofs and any one edit of them; buffers
 * reused from batch to batch, after failed reads, give the same roots.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFieldReader } from "../../src/chain/fields.js";
import { fromHex } from "../../src/crypto/hash.js";
import { MAX_ARG_BYTES, MAX_STEPS } from "../../src/program/index.js";
import { MAX_ASSUMPTIONS } from "../../src/protocols/delayed/containers.js";
import { commitList, verifyListProof } from "../../src/state/index.js";
import { createProofReader, decodeHex, decodeHexInto } from "../../src/protocols/delayed/lightclient/hex.js";
import { LeafBatch } from "../../src/protocols/delayed/lightclient/leaves.js";
import { AffirmationBatch } from "../../src/protocols/delayed/lightclient/affirmations.js";
import { verifyBranches } from "../../src/protocols/delayed/lightclient/merkle.js";
import { computeContractIdRoot } from "../../src/protocols/delayed/lightclient/leaf.js";
import type { TxOutcomeProof } from "../../src/protocols/delayed/lightclient.js";
import { run, workload } from "../helpers/run.js";
import { containers } from "../helpers/json.js";

const field = createFieldReader("MALFORMED_PROOF", "proof");
const reader = createProofReader("MALFORMED_PROOF", "proof");

function answer(read: () => unknown): { ok?: true; code?: string; message?: string } {
  try {
    read();
    return { ok: true };
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
}

/** The field reader's reading of a branch (verify.ts `readBranch`, with the plain field reader). */
function refBranch(x: unknown, path: string): void {
  const o = field.object(x, path, ["count", "index", "branch"]);
  const count = field.uint(o.count, `${path}.count`, 2 ** 32 - 1);
  if (count < 1) field.fail(`${path}.count`, "must be at least 1");
  field.uint(o.index, `${path}.index`, count - 1);
  field.list(o.branch, `${path}.branch`, 32, (v, p) => field.hex(v, p, 32));
}

/** The leaf, values and leaf branch as the field reader reads them, in the order the checker did before `LeafBatch`. */
function refLeaf(o: Record<string, unknown>): void {
  const l = field.object(o.leaf, "proof.leaf", ["seq", "txId", "outcome", "postRoot"]);
  field.oneOf(l.outcome, "proof.leaf.outcome", ["committed", "aborted"]);
  field.list(o.values, "proof.values", MAX_STEPS, (v, p) => (v === null ? null : field.hex(v, p, undefined, MAX_ARG_BYTES)));
  field.uint(l.seq, "proof.leaf.seq");
  field.hex(l.txId, "proof.leaf.txId", 32);
  field.hex(l.postRoot, "proof.leaf.postRoot", 32);
  refBranch(o.leafProof, "proof.leafProof");
}

/** The affirmation and its branch as the field reader reads them, in the order the checker did before `AffirmationBatch`. */
function refAffirmation(o: Record<string, unknown>): void {
  const a = field.object(o.affirmation, "proof.affirmation", ["contract", "first", "last", "preRoot", "postRoot", "resultsRoot", "assumptions"]);
  field.string(a.contract, "proof.affirmation.contract", 64);
  field.uint(a.first, "proof.affirmation.first");
  field.uint(a.last, "proof.affirmation.last");
  field.hex(a.preRoot, "proof.affirmation.preRoot", 32);
  field.hex(a.postRoot, "proof.affirmation.postRoot", 32);
  field.hex(a.resultsRoot, "proof.affirmation.resultsRoot", 32);
  field.list(a.assumptions, "proof.affirmation.assumptions", MAX_ASSUMPTIONS, (x, p) => {
    const s = field.object(x, p, ["contract", "position", "root"]);
    field.string(s.contract, `${p}.contract`, 64);
    field.uint(s.position, `${p}.position`);
    field.hex(s.root, `${p}.root`, 32);
  });
  refBranch(o.affirmationProof, "proof.affirmationProof");
}

const edits: ((c: Record<string, unknown> | unknown[], k: string | number, v: unknown) => void)[] = [
  // (A list loses an item, never gets a hole: decoded JSON has none.)
  (c, k) => (Array.isArray(c) ? c.splice(Number(k), 1) : delete (c as Record<string, unknown>)[k]),
  (c) => ((c as Record<string, unknown>)["extra"] = 1),
  (c, k, v) => ((c as Record<string, unknown>)[k] = typeof v === "number" ? v + 1 : typeof v === "string" ? `${v.slice(0, -1)}g` : v),
  (c, k, v) => ((c as Record<string, unknown>)[k] = typeof v === "number" ? String(v) : typeof v === "string" ? `${v}00` : null),
  (c, k, v) => ((c as Record<string, unknown>)[k] = typeof v === "number" ? -1 : typeof v === "string" ? v.slice(2) : [v]),
  (c, k, v) => ((c as Record<string, unknown>)[k] = Array.isArray(v) ? { ...v } : [v]),
  (c, k) => ((c as Record<string, unknown>)[k] = null),
  (c) => (Array.isArray(c) ? c.push(c[0] ?? "00") : ((c as Record<string, unknown>)["0"] = 0)),
  (c, k, v) => ((c as Record<string, unknown>)[k] = typeof v === "string" ? `0x${v.slice(2)}` : typeof v === "number" ? 1.5 : v),
];

describe("light client: flat readers answer as the field reader", () => {
  const o = run("delayed:conditional", workload("transfer", { slots: 3, rate: 10, accounts: 16, contracts: 4, cross: 0.5 }), { shards: 3, signatures: false, validators: 12, committeeSize: 4, slotGas: 64_000_000 });
  const proofs = o.results.txs.filter((t) => t.outcome === "committed" || t.outcome === "aborted").map((t) => JSON.parse(JSON.stringify(o.proveTx!(t.index))) as TxOutcomeProof);
  const contractRoot = (): Uint8Array => new Uint8Array(32);

  it("decodeHexInto: decodeHex's bytes, written in place; false for anything not hex", () => {
    const hexChar = fc.constantFrom(..."0123456789abcdefABCDEF");
    const anyChar = fc.oneof(hexChar, hexChar, hexChar, fc.constantFrom("g", " ", "x", "\u00e9", "\u0660", "\ud83d"));
    fc.assert(
      fc.property(fc.array(anyChar, { maxLength: 40 }).map((cs) => cs.join("")), fc.nat(8), (s, at) => {
        const text = s.length % 2 === 0 ? s : s.slice(1);
        const out = new Uint8Array(at + text.length / 2 + 4).fill(0xee);
        const ok = decodeHexInto(text, text.length / 2, out, at);
        const want = decodeHex(text);
        expect(ok).toBe(want !== undefined);
        if (want !== undefined) expect([...out.subarray(at, at + want.length)]).toEqual([...want]);
        expect(out[out.length - 1]).toBe(0xee);
      }),
      { numRuns: 1000 },
    );
  });

  it("the reader's object: the field reader's answer and error for any keys, order, extras, optional keys and inherited keys", () => {
    const keys = ["a", "b", "c", "d"];
    fc.assert(
      fc.property(fc.subarray([...keys, "e", "__proto__", "0"]), fc.boolean(), fc.boolean(), fc.subarray(keys), (own, inherited, array, optional) => {
        const proto = inherited ? { d: 1 } : Object.prototype;
        const x: unknown = array ? own : Object.assign(Object.create(proto) as object, Object.fromEntries(own.map((k) => [k, 1])));
        const opt = optional.length === 0 ? undefined : optional;
        expect(answer(() => reader.object(x, "proof.x", keys, opt))).toEqual(answer(() => field.object(x, "proof.x", keys, opt)));
      }),
      { numRuns: 500 },
    );
  });

  it("LeafBatch.read and AffirmationBatch.read: the field reader's errors, in its order, for real proofs and any one edit of their parts", () => {
    expect(proofs.length).toBeGreaterThan(5);
    const parts: [string, (p: TxOutcomeProof) => unknown, (o: Record<string, unknown>) => void, (o: Record<string, unknown>) => void][] = [
      ["leaf", (p) => ({ leaf: p.leaf, values: p.values, leafProof: p.leafProof }), refLeaf, (q) => new LeafBatch(1).read(reader, q, new Uint8Array(32))],
      ["affirmation", (p) => ({ affirmation: p.affirmation, affirmationProof: p.affirmationProof }), refAffirmation, (q) => new AffirmationBatch().read(reader, q, contractRoot, new Uint8Array(32), new Uint8Array(32))],
    ];
    for (const [name, pick, ref, flat] of parts) {
      for (const p of proofs) expect(answer(() => flat(pick(p) as Record<string, unknown>)), name).toEqual({ ok: true });
      fc.assert(
        // One or two edits (two bad fields: the first in reading order is the one named).
        fc.property(fc.nat(proofs.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(edits.length - 1), fc.nat()), { minLength: 1, maxLength: 2 }), (i, changes) => {
          const q = structuredClone(pick(proofs[i]!)) as Record<string, unknown>;
          for (const [at, e, key] of changes) {
            const cs = containers(q);
            const c = cs[at % cs.length]!;
            const ks = Object.keys(c);
            const k = ks.length === 0 ? 0 : Array.isArray(c) ? key % ks.length : ks[key % ks.length]!;
            edits[e]!(c, k, (c as Record<string | number, unknown>)[k]);
          }
          expect(answer(() => flat(q))).toEqual(answer(() => ref(q)));
        }),
        { numRuns: 2500, seed: 12 },
      );
    }
  });

  it("reused buffers: the leaves and affirmations of real proofs verify batch after batch, after reads that failed half-way, and a changed byte does not", () => {
    const leaves = new LeafBatch(3);
    const affs = new AffirmationBatch();
    const bad = structuredClone(proofs[0]!) as unknown as Record<string, Record<string, unknown>>;
    bad.leaf!.postRoot = "zz";
    const badAff = structuredClone(proofs[0]!) as unknown as { affirmationProof: { branch: string[] } };
    badAff.affirmationProof.branch.push("q".repeat(64));
    for (let start = 0; start < proofs.length; start += 3) {
      leaves.reset();
      affs.reset();
      expect(() => leaves.read(reader, bad, new Uint8Array(32))).toThrow(/proof\.leaf\.postRoot/);
      expect(() => affs.read(reader, badAff as unknown as Record<string, unknown>, contractRootOf, new Uint8Array(32), new Uint8Array(32))).toThrow(/affirmationProof\.branch/);
      const batch = proofs.slice(start, start + 3);
      for (const p of batch) {
        const results = new Uint8Array(32);
        affs.read(reader, p as unknown as Record<string, unknown>, contractRootOf, fromHex(p.batch.affirmationsRoot), results);
        affs.commit();
        expect(Buffer.from(results).toString("hex")).toBe(p.affirmation.resultsRoot);
        leaves.read(reader, p as unknown as Record<string, unknown>, results);
      }
      expect(leaves.verify()).toEqual(batch.map(() => true));
      expect(affs.verify()).toEqual(batch.map(() => true));
    }
    leaves.reset();
    const p = structuredClone(proofs[1]!);
    p.leaf.seq += 1;
    leaves.read(reader, proofs[0] as unknown as Record<string, unknown>, fromHex(proofs[0]!.affirmation.resultsRoot));
    leaves.read(reader, p as unknown as Record<string, unknown>, fromHex(p.affirmation.resultsRoot));
    expect(leaves.verify()).toEqual([true, false]);
    expect(() => leaves.read(reader, proofs[2] as unknown as Record<string, unknown>, new Uint8Array(32))).not.toThrow();
    expect(() => leaves.read(reader, proofs[3] as unknown as Record<string, unknown>, new Uint8Array(32))).toThrow(RangeError);
  });
});

/** A contract id's root, as the checker memoises it. */
function contractRootOf(id: string): Uint8Array {
  return computeContractIdRoot(new TextEncoder().encode(id));
}

describe("light client: branches checked in flat form", () => {
  it("verifyBranches = verifyListProof, one by one, for real branches, damaged ones, wrong depths and wrong roots", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ n: fc.integer({ min: 1, max: 40 }), at: fc.nat(), damage: fc.integer({ min: 0, max: 5 }), seed: fc.nat(255) }), { minLength: 1, maxLength: 12 }), (cases) => {
        const queries = cases.map(({ n, at, damage, seed }) => {
          const leaves = Array.from({ length: n }, (_, i) => new Uint8Array(32).fill((seed + i * 7) & 0xff));
          const list = commitList(leaves);
          const index = at % n;
          let branch = list.prove(index);
          let root = list.root;
          let leaf = leaves[index]!;
          if (damage === 1 && branch.length > 0) branch = branch.map((b, i) => (i === 0 ? b.map((x) => x ^ 1) : b));
          if (damage === 2) branch = [...branch, new Uint8Array(32)];
          if (damage === 3) root = root.slice(0, 31);
          if (damage === 4) leaf = leaf.map((x) => x ^ 0x80);
          return { root, index, count: damage === 5 ? n + 1 : n, branch, leaf };
        });
        const flat = new Uint8Array(queries.length * 32);
        queries.forEach((q, i) => flat.set(q.leaf, i * 32));
        expect(verifyBranches(queries, flat)).toEqual(queries.map((q) => verifyListProof(q.root, q.index, q.leaf, q.branch, q.count)));
      }),
      { numRuns: 300 },
    );
  });
});
