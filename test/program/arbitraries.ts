/** fast-check generators of valid programs, shared by the program tests. */
import fc from "fast-check";
import { lit, ref } from "../../src/program/builder.js";
import { PURE_OP_ARITY, PURE_OPS } from "../../src/program/constants.js";
import type { Arg, Program, Step } from "../../src/program/types.js";

interface ArgSeed {
  readonly useRef: boolean;
  readonly n: number;
  readonly bytes: Uint8Array;
}

const argSeedArb: fc.Arbitrary<ArgSeed> = fc.record({
  useRef: fc.boolean(),
  n: fc.nat(),
  bytes: fc.uint8Array({ maxLength: 40 }),
});

export const contractIdArb = fc.stringMatching(/^[A-Za-z0-9_.:/~-]{1,64}$/);
export const methodArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,31}$/);

type StepSeed =
  | { readonly kind: "call"; readonly contract: string; readonly method: string; readonly args: ArgSeed[] }
  | { readonly kind: "pure"; readonly op: number; readonly n: number; readonly args: ArgSeed[] }
  | { readonly kind: "require"; readonly arg: ArgSeed };

const stepSeedArb: fc.Arbitrary<StepSeed> = fc.oneof(
  fc.record({
    kind: fc.constant("call" as const),
    contract: contractIdArb,
    method: methodArb,
    args: fc.array(argSeedArb, { maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("pure" as const),
    op: fc.nat({ max: PURE_OPS.length - 1 }),
    n: fc.nat(),
    args: fc.array(argSeedArb, { minLength: 8, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("require" as const), arg: argSeedArb }),
);

/** A reference to an earlier step when there is one and the seed asks for it, else a literal. */
function argOf(seed: ArgSeed, index: number): Arg {
  return seed.useRef && index > 0 ? ref(seed.n % index) : lit(seed.bytes);
}

function stepOf(seed: StepSeed, index: number): Step {
  switch (seed.kind) {
    case "call":
      return { kind: "call", contract: seed.contract, method: seed.method, args: seed.args.map((a) => argOf(a, index)) };
    case "pure": {
      const op = PURE_OPS[seed.op] ?? "add";
      const { min, max } = PURE_OP_ARITY[op];
      const count = min + (seed.n % (max - min + 1));
      return { kind: "pure", op, args: seed.args.slice(0, count).map((a) => argOf(a, index)) };
    }
    case "require":
      return { kind: "require", arg: argOf(seed.arg, index) };
  }
}

/** Valid programs of 1..maxSteps steps with small literals. */
export function programArb(maxSteps = 16): fc.Arbitrary<Program> {
  return fc.array(stepSeedArb, { minLength: 1, maxLength: maxSteps }).map((seeds) => ({ steps: seeds.map(stepOf) }));
}
