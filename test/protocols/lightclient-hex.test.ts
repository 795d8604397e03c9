/**
 * The proof reader's own hex decoding and the cache's copies (src/protocols/delayed/lightclient/
 * hex.ts, cache.ts): the same bytes and errors as the field reader's `hex`, and copies equal to
 * `structuredClone`'s, for any input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFieldReader } from "../../src/chain/fields.js";
import { createProofReader, decodeHex } from "../../src/protocols/delayed/lightclient/hex.js";
import { copyJson, isSameJson, sameAffirmationParts, sameBatchParts, sameHeaderParts, storeAffirmationParts } from "../../src/protocols/delayed/lightclient/cache.js";
import type { TxOutcomeProof } from "../../src/protocols/delayed/lightclient.js";
import { run, workload } from "../helpers/run.js";
import { containers } from "../helpers/json.js";

const field = createFieldReader("MALFORMED_PROOF", "proof");
const proof = createProofReader("MALFORMED_PROOF", "proof");

function answer(read: () => Uint8Array): { bytes?: string; code?: string; message?: string } {
  try {
    return { bytes: Buffer.from(read()).toString("hex") };
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
}

function listAnswer(read: () => (Uint8Array | null)[]): { values?: (string | null)[]; code?: string; message?: string } {
  try {
    return { values: read().map((v) => (v === null ? null : Buffer.from(v).toString("hex"))) };
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
}

function strAnswer(read: () => string): { value?: string; code?: string; message?: string } {
  try {
    return { value: read() };
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
}

describe("light client: hex decoding", () => {
  const hexChar = fc.constantFrom(..."0123456789abcdefABCDEF");
  const anyChar = fc.oneof(hexChar, hexChar, hexChar, fc.constantFrom("g", "G", " ", "x", "-", "\u00e9", "\u0660", "\uff10", "\u0000", "\ud83d"));
  const text = fc.oneof(fc.array(hexChar, { maxLength: 80 }).map((cs) => cs.join("")), fc.array(anyChar, { maxLength: 80 }).map((cs) => cs.join("")));

  it("the same bytes and the same errors as the field reader's hex, for any string and limits", () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.constantFrom(3, null, undefined, {}, ["ab"])), fc.option(fc.nat(40), { nil: undefined }), fc.option(fc.nat(40), { nil: undefined }), (x, bytes, max) => {
        expect(answer(() => proof.hex(x, "proof.x", bytes, max))).toEqual(answer(() => field.hex(x, "proof.x", bytes, max)));
      }),
      { numRuns: 2000 },
    );
    expect(answer(() => proof.hex("0".repeat(64), "p", 32))).toEqual({ bytes: "0".repeat(64) });
    expect(Buffer.from(decodeHex("00ff7Fa9")!).toString("hex")).toBe("00ff7fa9");
    for (const bad of ["0g", "g0", "0 ", "\u00ff0", "0x"]) expect(decodeHex(bad)).toBeUndefined();
  });

  it("hexList, uintList and string: the same values and errors as the field reader's list of hex (nulls kept or refused), list of uints and string", () => {
    const item = fc.oneof(text, fc.constant(null), fc.constant(7));
    fc.assert(
      fc.property(fc.oneof(fc.array(item, { maxLength: 6 }), item), fc.nat(6), fc.option(fc.nat(40), { nil: undefined }), fc.option(fc.nat(40), { nil: undefined }), fc.boolean(), (x, max, bytes, maxBytes, nulls) => {
        const viaList = () => field.list(x, "proof.values", max, (v, p) => (v === null && nulls ? null : field.hex(v, p, bytes, maxBytes)));
        const got = () => (nulls ? proof.hexList(x, "proof.values", max, bytes, maxBytes, true) : proof.hexList(x, "proof.values", max, bytes, maxBytes));
        expect(listAnswer(got)).toEqual(listAnswer(viaList));
      }),
      { numRuns: 2000 },
    );
    // uintList: the same values and errors as the field reader's list of uints (holes, fractions, negatives, non-numbers).
    const num = fc.oneof(fc.nat(), fc.nat(), fc.constantFrom(-1, 0.5, 2 ** 53, Number.NaN, Infinity, "3", null));
    fc.assert(
      fc.property(fc.oneof(fc.array(num, { maxLength: 8 }), fc.sparseArray(fc.nat(), { maxLength: 8 }), num), fc.nat(8), (x, max) => {
        const uints = (read: () => number[]) => {
          try {
            const v = read();
            return { values: v, holes: v.length - Object.keys(v).length };
          } catch (e) {
            return { code: (e as { code: string }).code, message: (e as Error).message };
          }
        };
        const got = uints(() => proof.uintList(x, "proof.applied", max));
        expect(got).toEqual(uints(() => field.list(x, "proof.applied", max, (v, p) => field.uint(v, p))));
        if (Array.isArray(x) && "values" in got) expect(got.values).not.toBe(x);
      }),
      { numRuns: 2000 },
    );
    const str = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: "grapheme", maxLength: 30 }), fc.constant(""), fc.constant(5));
    fc.assert(
      fc.property(str, fc.nat(70), (x, max) => {
        expect(strAnswer(() => proof.string(x, "proof.c", max))).toEqual(strAnswer(() => field.string(x, "proof.c", max)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("light client: decoded bytes longer than 64 share buffers but never overlap", () => {
  it("2,000 long values decoded one after another keep their own bytes (across several shared buffers), and writing one changes no other", () => {
    const hexes = Array.from({ length: 2000 }, (_, i) => Buffer.from(Array.from({ length: 65 + (i % 300) }, (_, j) => (i * 31 + j * 7) & 0xff)).toString("hex"));
    const decoded = hexes.map((h) => decodeHex(h)!);
    expect(new Set(decoded.map((d) => d.buffer)).size).toBeGreaterThan(1);
    decoded.forEach((d, i) => expect(Buffer.from(d).toString("hex")).toBe(hexes[i]));
    for (const d of decoded) d.fill(0xee);
    decoded.forEach((d, i) => expect(d.length).toBe(hexes[i]!.length / 2));
    const spans = decoded.map((d) => [d.buffer, d.byteOffset, d.byteOffset + d.length] as const);
    for (let i = 1; i < spans.length; i++) {
      const [b, from] = spans[i]!;
      const [pb, , pto] = spans[i - 1]!;
      if (b === pb) expect(from).toBeGreaterThanOrEqual(pto);
    }
    expect(decodeHex("ab".repeat(64))!.every((x) => x === 0xab)).toBe(true);
  });
});

describe("light client: the cache's copies", () => {
  it("copyJson equals structuredClone for decoded JSON, shares nothing with its input, and keeps an own __proto__ key a key", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = copyJson(v);
        expect(c).toEqual(structuredClone(v));
        expect(isSameJson(c, v)).toBe(true);
        if (typeof v === "object" && v !== null) expect(c).not.toBe(v);
      }),
      { numRuns: 300 },
    );
    const doc = { a: [{ b: "x" }] };
    const c = copyJson(doc) as typeof doc;
    doc.a[0]!.b = "y";
    expect(c.a[0]!.b).toBe("x");
    const odd = JSON.parse('{"__proto__": {"x": 1}, "k": 2}') as Record<string, unknown>;
    const copy = copyJson(odd) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "k"]);
    expect(isSameJson(copy, odd)).toBe(true);
    expect(isSameJson(copy, { k: 2 })).toBe(false);
  });
});

describe("light client: the cache levels' comparisons", () => {
  const o = run("delayed:conditional", workload("transfer", { slots: 3, rate: 10, accounts: 16, contracts: 4, cross: 0.5 }), { shards: 3, signatures: false, validators: 12, committeeSize: 4, slotGas: 64_000_000 });
  const proofs = o.results.txs.filter((t) => t.outcome === "committed" || t.outcome === "aborted").map((t) => JSON.parse(JSON.stringify(o.proveTx!(t.index))) as TxOutcomeProof);
  const levels = [
    { name: "header", store: copyJson, same: sameHeaderParts, parts: (p: TxOutcomeProof): unknown[] => [p.genesisRoot, p.header, p.headerAttestation] },
    { name: "batch", store: copyJson, same: sameBatchParts, parts: (p: TxOutcomeProof): unknown[] => [p.batch, p.batchAttestation, p.applied, p.inclusion] },
    { name: "affirmation", store: storeAffirmationParts, same: sameAffirmationParts, parts: (p: TxOutcomeProof): unknown[] => [p.affirmation, p.affirmationProof] },
  ];

  const edits: ((c: Record<string, unknown> | unknown[], k: string | number, v: unknown) => void)[] = [
    (c, k) => delete (c as Record<string, unknown>)[k],
    (c) => ((c as Record<string, unknown>)["extra"] = 1),
    (c, k, v) => ((c as Record<string, unknown>)[k] = typeof v === "number" ? v + 1 : typeof v === "string" ? `${v.slice(0, -1)}0` === v ? `${v.slice(0, -1)}1` : `${v.slice(0, -1)}0` : v),
    (c, k, v) => ((c as Record<string, unknown>)[k] = typeof v === "number" ? String(v) : typeof v === "string" ? v.length : null),
    (c, k, v) => ((c as Record<string, unknown>)[k] = Array.isArray(v) ? { ...v } : [v]),
    (c, k) => ((c as Record<string, unknown>)[k] = null),
    (c) => (Array.isArray(c) ? c.push(c[0] ?? 0) : ((c as Record<string, unknown>)["0"] = 0)),
    (c) => (Array.isArray(c) ? c.pop() : undefined),
    (c, k, v) => ((c as Record<string, unknown>)[k] = structuredClone(v)),
  ];

  it("each level's comparison (against its stored form: a copy, or the affirmation's flat list) answers as isSameJson against a copy does, for the parts of real proofs and any one edit of them", () => {
    expect(proofs.length).toBeGreaterThan(5);
    const assumed = proofs.find((p) => p.affirmation.assumptions.length > 0);
    expect(assumed).toBeDefined();
    for (const level of levels) {
      for (const p of proofs) expect(level.same(level.store(level.parts(p)) as unknown[], level.parts(structuredClone(p)))).toBe(true);
      fc.assert(
        fc.property(fc.nat(proofs.length - 1), fc.nat(proofs.length - 1), fc.nat(), fc.nat(edits.length - 1), fc.nat(), (i, j, at, e, key) => {
          // Mostly one edit away from the stored part (a proof with assumptions every third time), else another proof's part.
          const source = assumed !== undefined && i % 3 === 0 ? assumed : proofs[i]!;
          const copy = copyJson(level.parts(source)) as unknown[];
          const stored = level.store(level.parts(source)) as unknown[];
          const parts = level.parts(structuredClone(j % 4 === 0 ? proofs[j]! : source));
          const cs = containers(parts);
          const c = cs[at % cs.length]!;
          const keys = Object.keys(c);
          const k = keys.length === 0 ? 0 : Array.isArray(c) ? (key % keys.length) : keys[key % keys.length]!;
          edits[e]!(c, k, (c as Record<string | number, unknown>)[k]);
          expect(level.same(stored, parts)).toBe(isSameJson(copy, parts));
        }),
        { numRuns: 1500, seed: 4 },
      );
    }
  });
});
