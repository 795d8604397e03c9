/**
 * Issue 12 goal 1: what a run of the two-stage chain keeps for proofs, kept compactly
 * (src/sim/delayed/kept.ts) — the records and packed blocks give back exactly what was put in,
 * and nothing kept is a view into a shared buffer (a pool slab it would keep alive).
 */
import { describe, expect, it } from "vitest";
import { KeptBlocks, TxRecords } from "../../src/sim/delayed/kept.js";
import type { TxResult } from "../../src/protocols/delayed/committee.js";
import type { SignedStage2Block } from "../../src/protocols/delayed/stage2.js";

/** `n` 32-byte views into one shared 8 KiB buffer, as the hashing library returns them. */
function pooled(n: number, seed: number): Uint8Array[] {
  const slab = new Uint8Array(8192);
  return Array.from({ length: n }, (_, i) => {
    const v = slab.subarray(64 * i, 64 * i + 32);
    v.fill((seed + i) & 0xff);
    v[0] = i;
    return v;
  });
}

function result(values: TxResult["values"], created: TxResult["created"] = []): TxResult {
  return { status: "committed", at: 0, reason: null, values, valuesRoot: new Uint8Array(32), created };
}

describe("TxRecords", () => {
  it("keeps final blocks, outcomes, step values and locators per sequence number", () => {
    const r = new TxRecords();
    for (let seq = 0; seq < 3000; seq++) r.add(seq, 1 + (seq % 3));
    expect(r.length).toBe(3000);
    expect(r.getFinalBlock(5)).toBeUndefined();
    r.setFinalBlock(5, 0);
    r.setFinalBlock(2999, 77);
    expect(r.getFinalBlock(5)).toBe(0);
    expect(r.getFinalBlock(2999)).toBe(77);
    expect(r.finalBlocks().filter((b) => b !== undefined)).toEqual([0, 77]);

    r.setResult(5, result([{ bytes: new Uint8Array([1, 2, 3]) }, null, { bytes: new Uint8Array(0) }]), 1);
    expect(r.getOutcome(5)).toBe(1);
    expect(r.getValues(5)).toEqual([{ bytes: new Uint8Array([1, 2, 3]) }, null, { bytes: new Uint8Array(0) }]);
    expect(r.getOutcome(6)).toBeUndefined();
    r.clearResult(5);
    expect(r.getOutcome(5)).toBeUndefined();

    // Locators: the first contract affirmed (since the last rollback) is remembered, in any order.
    expect(r.getFirstAffirmed(2)).toBeUndefined();
    r.setLocator(2, 2, { block: 9, inclusion: 1, affirmation: 4, leaf: 0 });
    r.setLocator(2, 0, { block: 10, inclusion: 0, affirmation: 2, leaf: 3 });
    expect(r.getFirstAffirmed(2)).toBe(2);
    expect(r.getLocator(2, 0)).toEqual({ block: 10, inclusion: 0, affirmation: 2, leaf: 3 });
    expect(r.getLocator(2, 1)).toBeUndefined();
    expect(r.getLocator(2, 3)).toBeUndefined(); // beyond its footprint
    expect(r.getLocator(3, 0)).toBeUndefined(); // the neighbour's slots are untouched
    r.clearLocators(2);
    expect(r.getLocator(2, 2)).toBeUndefined();
    expect(r.getFirstAffirmed(2)).toBeUndefined();
    r.setLocator(2, 1, { block: 12, inclusion: 0, affirmation: 0, leaf: 0 });
    expect(r.getFirstAffirmed(2)).toBe(1);
  });

  it("keeps a creator's full result only while it has one", () => {
    const r = new TxRecords();
    r.add(0, 1);
    r.add(1, 1);
    const creator = result([], [{ index: 0, writes: new Map() }] as unknown as TxResult["created"]);
    r.setResult(0, creator, 0);
    r.setResult(1, result([]), 0);
    expect(r.getCreatorResult(0)).toBe(creator);
    expect(r.getCreatorResult(1)).toBeUndefined();
    r.clearResult(0);
    expect(r.getCreatorResult(0)).toBeUndefined();
  });

  it("keeps step values across chunks (the largest list of values too)", () => {
    const r = new TxRecords();
    const n = 12_000; // ≈ 1.7 MB of values: more than one 1 MiB chunk
    const bytesOf = (seq: number): Uint8Array => new Uint8Array(100 + (seq % 50)).fill(seq & 0xff);
    for (let seq = 0; seq < n; seq++) {
      r.add(seq, 1);
      r.setResult(seq, result([{ bytes: bytesOf(seq) }]), 0);
    }
    r.add(n, 1);
    const most = Array.from({ length: 63 }, (_, i) => ({ bytes: new Uint8Array(1024).fill(i) })); // 63 × MAX_ARG_BYTES
    r.setResult(n, result([null, ...most]), 0);
    for (const seq of [0, 1, 7000, 7001, n - 1]) expect(r.getValues(seq)).toEqual([{ bytes: bytesOf(seq) }]);
    expect(r.getValues(n)).toEqual([null, ...most]);
  });

  it("refuses a sequence number out of order", () => {
    const r = new TxRecords();
    r.add(0, 1);
    expect(() => r.add(2, 1)).toThrow(/sequence 2/);
  });
});

describe("KeptBlocks", () => {
  function block(number: number): SignedStage2Block {
    const [parentRoot, batchesRoot, evidenceRoot, root, msg, affsRoot, batchRoot, incRoot, r1, r2] = pooled(10, number) as Uint8Array[];
    const leaves = pooled(5, 100 + number);
    const affirmation = (contract: string, first: number, last: number, assumptions: number) => ({
      contract: new TextEncoder().encode(contract),
      first,
      last,
      preRoot: r1 as Uint8Array,
      postRoot: r2 as Uint8Array,
      resultsRoot: r1 as Uint8Array,
      assumptions: Array.from({ length: assumptions }, (_, i) => ({ contract: new TextEncoder().encode(`c${i}`), position: i, root: r2 as Uint8Array })),
    });
    const attestation = { message: msg as Uint8Array, signers: [0, 2, 3], signature: new Uint8Array(96).fill(7), weight: 3 };
    return {
      header: { number, slot: number, parentRoot: parentRoot as Uint8Array, batchesRoot: batchesRoot as Uint8Array, evidenceRoot: evidenceRoot as Uint8Array },
      root: root as Uint8Array,
      attestation,
      attesters: [],
      evidence: [],
      inclusions: [
        {
          root: incRoot as Uint8Array,
          applied: [0, 1],
          batch: {
            header: { committee: 1, round: number, gasUsed: 10, executions: 3, affirmationsRoot: affsRoot as Uint8Array },
            root: batchRoot as Uint8Array,
            affirmations: [affirmation("token1", 4, 6, 0), affirmation("token22", 0, 1, 2)],
            affirmationRoots: [r1 as Uint8Array, r2 as Uint8Array],
            leaves: [leaves.slice(0, 3), leaves.slice(3)],
            candidates: [{} as never],
            attestation,
            members: [],
          },
        },
      ],
    } as unknown as SignedStage2Block;
  }

  it("gives back a block's header, roots and batches as they were, without their claims", () => {
    const kept = new KeptBlocks();
    const b = block(3);
    kept.add(b);
    kept.add(block(5));
    expect(kept.size).toBe(2);
    expect(kept.get(4)).toBeUndefined();
    const k = kept.get(3);
    if (!k) throw new Error("block 3 not kept");
    expect(k.header).toEqual(b.header);
    expect(k.root).toEqual(b.root);
    expect(k.attestation).toEqual(b.attestation);
    expect(k.inclusions).toEqual([{ root: b.inclusions[0]?.root, applied: [0, 1] }]);
    const batch = k.batch(0);
    const orig = b.inclusions[0]?.batch;
    expect(batch?.affirmations).toEqual(orig?.affirmations);
    expect(batch?.affirmationRoots).toEqual(orig?.affirmationRoots);
    expect(batch?.leaves).toEqual(orig?.leaves);
    expect(batch?.header).toEqual(orig?.header);
    expect(batch?.candidates).toEqual([]);
    expect(k.batch(1)).toBeUndefined();
  });

  it("keeps no view into the buffers it was handed", () => {
    const kept = new KeptBlocks();
    const b = block(1);
    kept.add(b);
    const k = kept.get(1);
    const batch = k?.batch(0);
    const handed = new Set([b.root, b.header.parentRoot, b.attestation.message, ...(b.inclusions[0]?.batch.leaves.flat() ?? [])].map((x) => x.buffer));
    for (const x of [k?.root, k?.header.parentRoot, k?.header.batchesRoot, k?.attestation.message, k?.inclusions[0]?.root, batch?.root, batch?.header.affirmationsRoot]) {
      expect(x).toBeDefined();
      expect(handed.has((x as Uint8Array).buffer)).toBe(false);
      expect((x as Uint8Array).buffer.byteLength).toBe(32);
    }
    // The original's bytes changed afterwards do not reach what was kept.
    (b.inclusions[0]?.batch.leaves[0]?.[0] as Uint8Array).fill(0xee);
    expect(kept.get(1)?.batch(0)?.leaves[0]?.[0]?.[1]).not.toBe(0xee);
  });
});
