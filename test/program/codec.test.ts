import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isXshardError } from "../../src/errors.js";
import { lit, ProgramBuilder, ref, u64 } from "../../src/program/builder.js";
import { computeSignedTxSize, decodeProgram, decodeSignedTx, decodeTx, encodeProgram, encodeSignedTx, encodeTx } from "../../src/program/codec.js";
import { MAX_ARG_BYTES, MAX_ARGS, MAX_PROGRAM_BYTES, MAX_STEPS } from "../../src/program/constants.js";
import type { ProgramErrorCode } from "../../src/program/errors.js";
import { computeFootprint } from "../../src/program/footprint.js";
import { ProgramType, toSszProgram } from "../../src/program/ssz.js";
import type { Arg, Program, Step } from "../../src/program/types.js";
import { validateProgram } from "../../src/program/validate.js";
import { programArb } from "./arbitraries.js";

/** Encodes without validating, to produce inputs that break the rules. */
function rawEncode(p: Program): Uint8Array {
  return ProgramType.serialize(toSszProgram(p));
}

function codeOf(f: () => unknown): { code: string; data: Record<string, unknown> } {
  try {
    f();
  } catch (e) {
    if (!isXshardError(e)) throw e;
    return { code: e.code, data: e.data };
  }
  throw new Error("expected an XshardError");
}

const PROGRAM_CODES: readonly ProgramErrorCode[] = [
  "MALFORMED",
  "TRAILING_BYTES",
  "NON_CANONICAL",
  "BAD_SELECTOR",
  "REF_NOT_EARLIER",
  "UNKNOWN_OP",
  "BAD_ARITY",
  "TOO_MANY_STEPS",
  "TOO_MANY_ARGS",
  "ARG_TOO_LARGE",
  "PROGRAM_TOO_LARGE",
  "BAD_NAME",
  "EMPTY_PROGRAM",
];

function flipByte(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = (bytes[at] ?? 0) ^ mask;
}

/** Decoding either fails with a program error code or accepts bytes that are the canonical encoding. */
function expectRejectedOrCanonical(bytes: Uint8Array): void {
  let p: Program;
  try {
    p = decodeProgram(bytes);
  } catch (e) {
    expect(isXshardError(e)).toBe(true);
    if (isXshardError(e)) expect(PROGRAM_CODES).toContain(e.code);
    return;
  }
  expect(encodeProgram(p)).toEqual(bytes);
}

const requireRef: Step = { kind: "require", arg: ref(0) };
const someCall: Step = { kind: "call", contract: "tokenA", method: "transfer", args: [u64(1n)] };

describe("program encoding round trip", () => {
  it("random valid programs encode → decode → equal, and re-encode identically", () => {
    fc.assert(
      fc.property(programArb(), (p) => {
        const bytes = encodeProgram(p);
        const back = decodeProgram(bytes);
        expect(back).toEqual(p);
        expect(encodeProgram(back)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it("accepts a program at every limit: 64 steps, 8 args, 1024-byte literals", () => {
    const big = new Uint8Array(MAX_ARG_BYTES).fill(7);
    const steps: Step[] = [{ kind: "call", contract: "c".repeat(64), method: "m".repeat(32), args: [lit(big)] }];
    for (let i = 1; i < MAX_STEPS; i++) steps.push({ kind: "pure", op: "concat", args: Array(MAX_ARGS).fill(ref(i - 1)) });
    const p = { steps };
    expect(decodeProgram(encodeProgram(p))).toEqual(p);
  });

  it("transactions and signed transactions round trip", () => {
    fc.assert(
      fc.property(
        programArb(6),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (program, sender, n, signature) => {
          const tx = { sender, nonce: n, maxFeePerGas: n / 3n, gasLimit: 1n, program };
          expect(decodeTx(encodeTx(tx))).toEqual(tx);
          const stx = { tx, pubkey: sender, signature };
          expect(decodeSignedTx(encodeSignedTx(stx))).toEqual(stx);
          expect(computeSignedTxSize(stx)).toBe(encodeSignedTx(stx).length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("computeSignedTxSize: the encoding's length, or the encoder's own error for a transaction that does not encode", () => {
    const program: Program = { steps: [{ kind: "call", contract: "c", method: "m", args: [lit(new Uint8Array(MAX_ARG_BYTES))] }] };
    const tx = { sender: new Uint8Array(32), nonce: 1n, maxFeePerGas: 2n, gasLimit: 3n, program };
    const good = { tx, pubkey: new Uint8Array(32), signature: new Uint8Array(64) };
    expect(computeSignedTxSize(good)).toBe(encodeSignedTx(good).length);
    const broken = [
      { ...good, signature: new Uint8Array(63) },
      { ...good, pubkey: new Uint8Array(33) },
      { ...good, tx: { ...tx, sender: new Uint8Array(31) } },
      { ...good, tx: { ...tx, nonce: 1n << 64n } },
      { ...good, tx: { ...tx, gasLimit: -1n } },
      { ...good, tx: { ...tx, program: { steps: [] } } },
      { ...good, tx: { ...tx, program: { steps: [{ kind: "require", arg: lit(new Uint8Array(MAX_ARG_BYTES + 1)) }] } as Program } },
      { ...good, tx: { ...tx, program: { steps: Array<Step>(MAX_STEPS + 1).fill({ kind: "require", arg: u64(1n) }) } } },
    ];
    for (const stx of broken) {
      const expected = codeOf(() => encodeSignedTx(stx));
      const got = codeOf(() => computeSignedTxSize(stx));
      expect(got.code).toBe(expected.code);
      expect(got.data).toEqual(expected.data);
    }
  });
});

describe("the builder's shared references", () => {
  it("programs built alike share their references and requires, encode alike, and a bad reference is still refused", () => {
    const make = (second: boolean): Program => {
      const b = new ProgramBuilder();
      b.require(b.call("tokenA", "transfer", [u64(1)]));
      if (second) b.require(b.call("tokenB", "transfer", [u64(2)]));
      return b.build();
    };
    const [one, two] = [make(true), make(true)];
    expect(one).toEqual(two);
    expect(one.steps[1]).toBe(two.steps[1]);
    expect(one.steps[3]).toBe(make(true).steps[3]);
    expect(one.steps[3]).toEqual({ kind: "require", arg: { kind: "ref", step: 2 } });
    expect(encodeProgram(one)).toEqual(encodeProgram(two));
    expect(decodeProgram(encodeProgram(one))).toEqual(one);
    // A require of a reference made by hand is its own object, and equal.
    const b = new ProgramBuilder();
    b.call("tokenA", "transfer", [u64(1)]);
    b.require({ kind: "ref", step: 0 });
    expect(b.build()).toEqual(make(false));
    for (const step of [1, 5, -1, 0.5, 70]) {
      const bad = new ProgramBuilder();
      bad.call("tokenA", "transfer", []);
      bad.require(ref(step));
      expect(codeOf(() => bad.build()).code).toMatch(/^(REF_NOT_EARLIER|MALFORMED|BAD_REF)/);
    }
  });
});

describe("validation rejects each broken rule with its code, in the model and in bytes", () => {
  const cases: { name: string; program: Program; code: ProgramErrorCode; data: Record<string, unknown> }[] = [
    { name: "ref to itself", program: { steps: [someCall, { kind: "require", arg: ref(1) }] }, code: "REF_NOT_EARLIER", data: { step: 1, ref: 1 } },
    { name: "ref to a later step", program: { steps: [{ kind: "require", arg: ref(1) }, someCall] }, code: "REF_NOT_EARLIER", data: { step: 0, ref: 1 } },
    { name: "unary op with two args", program: { steps: [someCall, { kind: "pure", op: "not", args: [ref(0), ref(0)] }] }, code: "BAD_ARITY", data: { step: 1, op: "not", got: 2, want: 1 } },
    { name: "concat with one arg", program: { steps: [{ kind: "pure", op: "concat", args: [u64(1)] }] }, code: "BAD_ARITY", data: { step: 0, op: "concat", got: 1, want: "2..8" } },
    { name: "65 steps", program: { steps: Array<Step>(MAX_STEPS + 1).fill(someCall) }, code: "TOO_MANY_STEPS", data: { steps: 65 } },
    { name: "9 call args", program: { steps: [{ ...someCall, args: Array<Arg>(MAX_ARGS + 1).fill(u64(0)) }] }, code: "TOO_MANY_ARGS", data: { step: 0, args: 9 } },
    { name: "1025-byte literal", program: { steps: [someCall, { kind: "require", arg: lit(new Uint8Array(MAX_ARG_BYTES + 1)) }] }, code: "ARG_TOO_LARGE", data: { step: 1, size: 1025 } },
    { name: "contract id with a space", program: { steps: [{ ...someCall, contract: "token A" }] }, code: "BAD_NAME", data: { step: 0, name: "token A" } },
    { name: "65-byte contract id", program: { steps: [{ ...someCall, contract: "a".repeat(65) }] }, code: "BAD_NAME", data: { step: 0 } },
    { name: "method starting with a digit", program: { steps: [{ ...someCall, method: "1go" }] }, code: "BAD_NAME", data: { step: 0, name: "1go" } },
    { name: "method with a dot", program: { steps: [{ ...someCall, method: "a.b" }] }, code: "BAD_NAME", data: { step: 0, name: "a.b" } },
    { name: "33-byte method", program: { steps: [{ ...someCall, method: "m".repeat(33) }] }, code: "BAD_NAME", data: { step: 0 } },
    { name: "non-ASCII contract id", program: { steps: [{ ...someCall, contract: "tökén" }] }, code: "BAD_NAME", data: { step: 0 } },
    { name: "empty program", program: { steps: [] }, code: "EMPTY_PROGRAM", data: {} },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.code}`, () => {
      const fromModel = codeOf(() => validateProgram(c.program));
      expect(fromModel.code).toBe(c.code);
      expect(fromModel.data).toMatchObject(c.data);
      expect(codeOf(() => encodeProgram(c.program)).code).toBe(c.code);
      const fromBytes = codeOf(() => decodeProgram(rawEncode(c.program)));
      expect(fromBytes.code).toBe(c.code);
      expect(fromBytes.data).toMatchObject(c.data);
    });
  }

  it("unknown opcodes 20..255 → UNKNOWN_OP naming step and opcode", () => {
    const bytes = rawEncode({ steps: [someCall, { kind: "pure", op: "add", args: [u64(1), u64(2)] }] });
    const opAt = bytes.length - 1 - (4 + 4 + 4 + 1 + 8 + 1 + 8); // selector, op, args offset, arg offsets, args
    expect(bytes[opAt]).toBe(0);
    for (let op = 20; op < 256; op++) {
      const mutated = bytes.slice();
      mutated[opAt] = op;
      expect(codeOf(() => decodeProgram(mutated))).toEqual({ code: "UNKNOWN_OP", data: { step: 1, op } });
    }
  });

  it("an encoding over MAX_PROGRAM_BYTES → PROGRAM_TOO_LARGE, both as a model and as bytes", () => {
    const steps: Step[] = Array<Step>(17).fill({ kind: "require", arg: lit(new Uint8Array(MAX_ARG_BYTES)) });
    const p = { steps };
    expect(codeOf(() => validateProgram(p))).toMatchObject({ code: "PROGRAM_TOO_LARGE", data: { max: MAX_PROGRAM_BYTES } });
    expect(codeOf(() => decodeProgram(rawEncode(p))).code).toBe("PROGRAM_TOO_LARGE");
    expect(codeOf(() => decodeProgram(new Uint8Array(MAX_PROGRAM_BYTES + 1))).code).toBe("PROGRAM_TOO_LARGE");
  });
});

describe("malformed bytes", () => {
  const endsInRef = new ProgramBuilder();
  const r = endsInRef.call("tokenA", "transfer", [u64(5)]);
  endsInRef.require(r);
  const endsInRefBytes = encodeProgram(endsInRef.build());

  it("empty input → EMPTY_PROGRAM", () => {
    expect(codeOf(() => decodeProgram(new Uint8Array())).code).toBe("EMPTY_PROGRAM");
  });

  it("bytes appended after a final reference → TRAILING_BYTES naming the last step", () => {
    for (let extra = 1; extra <= 40; extra++) {
      const bytes = new Uint8Array([...endsInRefBytes, ...new Uint8Array(extra).fill(extra)]);
      expect(codeOf(() => decodeProgram(bytes))).toEqual({ code: "TRAILING_BYTES", data: { step: 1, extra } });
    }
  });

  it("property: appending bytes to a program that ends in a reference → TRAILING_BYTES", () => {
    fc.assert(
      fc.property(programArb(8), fc.uint8Array({ minLength: 1, maxLength: 64 }), (p, extra) => {
        const program = { steps: [...p.steps, requireRef] };
        const bytes = new Uint8Array([...encodeProgram(program), ...extra]);
        expect(codeOf(() => decodeProgram(bytes))).toMatchObject({ code: "TRAILING_BYTES", data: { step: p.steps.length } });
      }),
      { numRuns: 200 },
    );
  });

  it("property: bytes appended after a final literal extend that literal (SSZ is framed by its length) or are rejected", () => {
    fc.assert(
      fc.property(programArb(8), fc.uint8Array({ minLength: 1, maxLength: 64 }), (p, extra) => {
        const original = encodeProgram(p);
        const bytes = new Uint8Array([...original, ...extra]);
        expectRejectedOrCanonical(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it("truncating a final reference → MALFORMED naming the last step", () => {
    for (const cut of [1, 2]) {
      const bytes = endsInRefBytes.subarray(0, endsInRefBytes.length - cut);
      expect(codeOf(() => decodeProgram(bytes))).toMatchObject({ code: "MALFORMED", data: { step: 1 } });
    }
  });

  it("property: every strict prefix of an encoding is rejected or is the canonical encoding of another program", () => {
    fc.assert(
      fc.property(programArb(6), (p) => {
        const bytes = encodeProgram(p);
        for (let len = 0; len < bytes.length; len++) expectRejectedOrCanonical(bytes.subarray(0, len));
      }),
      { numRuns: 25 },
    );
  });

  it("a step-kind selector out of range → BAD_SELECTOR naming the step", () => {
    const bytes = endsInRefBytes.slice();
    const secondStepAt = new DataView(bytes.buffer).getUint32(4, true);
    expect(bytes[secondStepAt]).toBe(2);
    bytes[secondStepAt] = 3;
    expect(codeOf(() => decodeProgram(bytes))).toEqual({ code: "BAD_SELECTOR", data: { step: 1, union: "Step", selector: 3 } });
  });

  it("an argument-kind selector out of range → BAD_SELECTOR naming the step", () => {
    const bytes = endsInRefBytes.slice();
    const argSelectorAt = bytes.length - 3;
    expect(bytes[argSelectorAt]).toBe(1);
    bytes[argSelectorAt] = 0x80;
    expect(codeOf(() => decodeProgram(bytes))).toEqual({ code: "BAD_SELECTOR", data: { step: 1, union: "Arg", selector: 0x80 } });
  });

  it("an offset out of bounds → MALFORMED", () => {
    const bytes = endsInRefBytes.slice();
    bytes[4] = 0xff;
    expect(codeOf(() => decodeProgram(bytes)).code).toBe("MALFORMED");
  });

  it("a flipped offset that gives an argument an empty span (ssz reads its selector from the next one) → NON_CANONICAL", () => {
    const p: Program = { steps: [{ kind: "pure", op: "bytes_eq", args: [lit(Uint8Array.of(0xaa)), lit(new Uint8Array())] }] };
    const bytes = encodeProgram(p);
    // step frame at 4: selector(1) op(1) argsOffset(4) | arg offsets 8, 10 | 00 aa | 00
    const secondArgOffsetAt = 4 + 1 + 1 + 4 + 4;
    expect(bytes[secondArgOffsetAt]).toBe(10);
    bytes[secondArgOffsetAt] = 8;
    expect(codeOf(() => decodeProgram(bytes))).toEqual({ code: "NON_CANONICAL", data: { step: 0 } });
  });

  it("property: every single-byte flip is rejected with a program code, or decodes canonically", () => {
    fc.assert(
      fc.property(programArb(8), fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, mask) => {
        const bytes = encodeProgram(p);
        flipByte(bytes, at % bytes.length, mask);
        expectRejectedOrCanonical(bytes);
      }),
      { numRuns: 600 },
    );
  });

  it("property: random bytes never make the decoders throw anything but XshardError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectRejectedOrCanonical(bytes);
        for (const decode of [decodeTx, decodeSignedTx]) {
          try {
            decode(bytes);
          } catch (e) {
            expect(isXshardError(e)).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("a transaction shorter than its fixed part → MALFORMED; a program part of zero steps → EMPTY_PROGRAM", () => {
    expect(codeOf(() => decodeTx(new Uint8Array(59))).code).toBe("MALFORMED");
    const empty = new Uint8Array(60);
    empty[56] = 60; // program offset = end of the fixed part, so no steps
    expect(codeOf(() => decodeTx(empty)).code).toBe("EMPTY_PROGRAM");
  });
});

describe("footprint", () => {
  it("is the sorted, deduplicated set of called contracts", () => {
    const b = new ProgramBuilder();
    const x = b.call("tokenB", "transfer", [u64(1)]);
    b.call("exchange", "swap", [x]);
    b.pure("add", [u64(1), u64(2)]);
    b.call("tokenB", "balance");
    b.require(x);
    b.call("tokenA", "transfer");
    expect(computeFootprint(b.build())).toEqual(["exchange", "tokenA", "tokenB"]);
  });
});
