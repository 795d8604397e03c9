/**
 * SSZ schema of programs and transactions, and the conversions between the TypeScript model and
 * SSZ values. Two sets of types share one layout:
 * - the schema types (`ProgramType`, `TxType`, `SignedTxType`) carry the real limits and are used
 *   to encode and to merkleize (limits decide the tree shape);
 * - the decode types carry loose limits and see a program as a list of opaque step frames, so
 *   that decoding can name the offending step and report over-limit inputs with their specific
 *   codes (`validateProgram`) rather than a generic SSZ failure.
 * SSZ serialization does not depend on limits, so both sets read and write the same bytes.
 */
import "../crypto/hash.js";
import {
  type ByteViews,
  ByteListType,
  ByteVectorType,
  ContainerType,
  ListCompositeType,
  type Type,
  UintBigintType,
  UintNumberType,
  UnionType,
  type ValueOf,
} from "@chainsafe/ssz";
import {
  MAX_ARG_BYTES,
  MAX_ARGS,
  MAX_CONTRACT_ID_BYTES,
  MAX_METHOD_BYTES,
  MAX_PROGRAM_BYTES,
  MAX_STEPS,
  PURE_OPS,
} from "./constants.js";
import { programError } from "./errors.js";
import type { Arg, Program, SignedTx, Step, Tx } from "./types.js";

/** A union that reports an out-of-range selector as `BAD_SELECTOR` naming the union. */
class SelectorCheckedUnionType<Types extends Type<unknown>[]> extends UnionType<Types> {
  override value_deserializeFromBytes(data: ByteViews, start: number, end: number, reuseBytes?: boolean) {
    const selector = data.uint8Array[start];
    if (selector !== undefined && selector > this.maxSelector) {
      throw programError("BAD_SELECTOR", `${this.typeName} selector out of range`, { union: this.typeName, selector });
    }
    return super.value_deserializeFromBytes(data, start, end, reuseBytes);
  }
}

/** A uint16 step reference that reports extra bytes as `TRAILING_BYTES` and missing ones as `MALFORMED`. */
class StepRefType extends UintNumberType {
  constructor() {
    super(2);
  }
  protected override assertValidSize(size: number): void {
    if (size > this.byteLength) {
      throw programError("TRAILING_BYTES", "bytes after a step reference", { extra: size - this.byteLength });
    }
    if (size < this.byteLength) throw programError("MALFORMED", "truncated step reference", { size });
  }
}

interface StepLimits {
  readonly maxArgs: number;
  readonly maxArgBytes: number;
  readonly maxContractIdBytes: number;
  readonly maxMethodBytes: number;
}

/** Arg = Union[ByteList (literal), uint16 (reference to an earlier step)]. */
function createArgType(maxArgBytes: number) {
  return new SelectorCheckedUnionType([new ByteListType(maxArgBytes), new StepRefType()], { typeName: "Arg" });
}

function createStepType(limits: StepLimits) {
  const arg = createArgType(limits.maxArgBytes);
  const args = new ListCompositeType(arg, limits.maxArgs);
  return new SelectorCheckedUnionType(
    [
      new ContainerType(
        { contract: new ByteListType(limits.maxContractIdBytes), method: new ByteListType(limits.maxMethodBytes), args },
        { typeName: "CallStep" },
      ),
      new ContainerType({ op: new UintNumberType(1), args }, { typeName: "PureStep" }),
      new ContainerType({ arg }, { typeName: "RequireStep" }),
    ],
    { typeName: "Step" },
  );
}

const Bytes32 = new ByteVectorType(32);
const Bytes64 = new ByteVectorType(64);
const Uint64 = new UintBigintType(8);

function createTxType<P extends Type<unknown>>(program: P) {
  return new ContainerType(
    { sender: Bytes32, nonce: Uint64, maxFeePerGas: Uint64, gasLimit: Uint64, program },
    { typeName: "Tx" },
  );
}

function createSignedTxType<T extends Type<unknown>>(tx: T) {
  return new ContainerType({ tx, pubkey: Bytes32, signature: Bytes64 }, { typeName: "SignedTx" });
}

/** Step = Union[CallStep, PureStep, RequireStep], with the real limits. */
export const StepType = createStepType({
  maxArgs: MAX_ARGS,
  maxArgBytes: MAX_ARG_BYTES,
  maxContractIdBytes: MAX_CONTRACT_ID_BYTES,
  maxMethodBytes: MAX_METHOD_BYTES,
});
/** Program = List[Step, MAX_STEPS]. */
export const ProgramType = new ListCompositeType(StepType, MAX_STEPS);
/** Tx = Container{sender: Bytes32, nonce, maxFeePerGas, gasLimit: uint64, program: Program}. */
export const TxType = createTxType(ProgramType);
/** SignedTx = Container{tx: Tx, pubkey: Bytes32, signature: Bytes64}. */
export const SignedTxType = createSignedTxType(TxType);

/** Step with loose limits: anything that fits in a program-sized input decodes. */
export const StepDecodeType = createStepType({
  maxArgs: MAX_PROGRAM_BYTES,
  maxArgBytes: MAX_PROGRAM_BYTES,
  maxContractIdBytes: MAX_PROGRAM_BYTES,
  maxMethodBytes: MAX_PROGRAM_BYTES,
});
/** A program as a list of opaque step frames (same bytes as `ProgramType`). */
export const ProgramFrameType = new ListCompositeType(new ByteListType(MAX_PROGRAM_BYTES), MAX_PROGRAM_BYTES);
/** A transaction whose program is still in step frames. */
export const TxFrameType = createTxType(ProgramFrameType);
/** A signed transaction whose program is still in step frames. */
export const SignedTxFrameType = createSignedTxType(TxFrameType);

export type SszArg = ValueOf<ReturnType<typeof createArgType>>;
export type SszStep = ValueOf<typeof StepType>;
export type SszProgram = ValueOf<typeof ProgramType>;
export type SszTx = ValueOf<typeof TxType>;
export type SszSignedTx = ValueOf<typeof SignedTxType>;

/** Model argument → SSZ union value. */
export function toSszArg(arg: Arg): SszArg {
  return arg.kind === "lit" ? { selector: 0, value: arg.bytes } : { selector: 1, value: arg.step };
}

/** Model step → SSZ union value. Names become their ASCII bytes; callers validate names first. */
export function toSszStep(step: Step): SszStep {
  switch (step.kind) {
    case "call":
      return {
        selector: 0,
        value: { contract: asciiBytes(step.contract), method: asciiBytes(step.method), args: step.args.map(toSszArg) },
      };
    case "pure":
      return { selector: 1, value: { op: PURE_OPS.indexOf(step.op), args: step.args.map(toSszArg) } };
    case "require":
      return { selector: 2, value: { arg: toSszArg(step.arg) } };
  }
}

/** Model program → SSZ value. */
export function toSszProgram(p: Program): SszProgram {
  return p.steps.map(toSszStep);
}

/** Model transaction → SSZ value. */
export function toSszTx(tx: Tx): SszTx {
  return {
    sender: tx.sender,
    nonce: tx.nonce,
    maxFeePerGas: tx.maxFeePerGas,
    gasLimit: tx.gasLimit,
    program: toSszProgram(tx.program),
  };
}

/** Model signed transaction → SSZ value. */
export function toSszSignedTx(stx: SignedTx): SszSignedTx {
  return { tx: toSszTx(stx.tx), pubkey: stx.pubkey, signature: stx.signature };
}

/** SSZ argument → model. */
export function fromSszArg(arg: SszArg): Arg {
  return arg.value instanceof Uint8Array ? { kind: "lit", bytes: arg.value } : { kind: "ref", step: arg.value };
}

/** SSZ step → model; an opcode outside the op table throws `UNKNOWN_OP`. */
export function fromSszStep(step: SszStep, index: number): Step {
  const v = step.value;
  if ("contract" in v) {
    return { kind: "call", contract: latin1(v.contract), method: latin1(v.method), args: v.args.map(fromSszArg) };
  }
  if ("op" in v) {
    const op = PURE_OPS[v.op];
    if (op === undefined) throw programError("UNKNOWN_OP", "unknown pure op", { step: index, op: v.op });
    return { kind: "pure", op, args: v.args.map(fromSszArg) };
  }
  return { kind: "require", arg: fromSszArg(v.arg) };
}

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** One character per byte, so that name syntax checks see every byte. */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
