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
import { MerkleBatch } from "../crypto/merkle.js";
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

/** Depth of a tree of `chunks` leaves: ceil(log2(chunks)), 0 for one. */
function getChunkDepth(chunks: number): number {
  return chunks <= 1 ? 0 : Math.ceil(Math.log2(chunks));
}

const ARG_BYTES_DEPTH = getChunkDepth(Math.ceil(MAX_ARG_BYTES / 32));
const CONTRACT_ID_DEPTH = getChunkDepth(Math.ceil(MAX_CONTRACT_ID_BYTES / 32));
const METHOD_DEPTH = getChunkDepth(Math.ceil(MAX_METHOD_BYTES / 32));
const ARGS_DEPTH = getChunkDepth(MAX_ARGS);
const STEPS_DEPTH = getChunkDepth(MAX_STEPS);
const U64_LIMIT = 1n << 64n;

/** Scratch of `computeTxRoot`. */
const txBatch = new MerkleBatch();
const u64Bytes = new Uint8Array(8);
const u64View = new DataView(u64Bytes.buffer);
/** Trees of `computeTxRoot`'s later runs: argument lists and require steps, then call and pure steps (six numbers each). */
const listTrees: number[] = [];
const stepTrees: number[] = [];

function isBytesUpTo(x: unknown, max: number): boolean {
  return x instanceof Uint8Array && x.length <= max;
}

function isU64Bigint(x: unknown): boolean {
  return typeof x === "bigint" && x >= 0n && x < U64_LIMIT;
}

function isIntUpTo(x: unknown, max: number): boolean {
  return Number.isInteger(x) && (x as number) >= 0 && (x as number) <= max;
}

function isSszArgWellFormed(a: SszArg): boolean {
  return a.selector === 0 ? isBytesUpTo(a.value, MAX_ARG_BYTES) : a.selector === 1 && isIntUpTo(a.value, 0xffff);
}

function isSszArgsWellFormed(args: unknown): boolean {
  return Array.isArray(args) && args.length <= MAX_ARGS && args.every(isSszArgWellFormed);
}

function isSszStepWellFormed(s: SszStep): boolean {
  const v = s.value as Record<string, unknown>;
  if (s.selector === 0) return isBytesUpTo(v.contract, MAX_CONTRACT_ID_BYTES) && isBytesUpTo(v.method, MAX_METHOD_BYTES) && isSszArgsWellFormed(v.args);
  if (s.selector === 1) return isIntUpTo(v.op, 0xff) && isSszArgsWellFormed(v.args);
  return s.selector === 2 && typeof v.arg === "object" && v.arg !== null && isSszArgWellFormed(v.arg as SszArg);
}

/** Every field within its SSZ limits and of its SSZ kind: what `computeTxRoot` merkleizes itself. */
export function isSszTxWellFormed(tx: SszTx): boolean {
  return (
    tx.sender instanceof Uint8Array &&
    tx.sender.length === 32 &&
    isU64Bigint(tx.nonce) &&
    isU64Bigint(tx.maxFeePerGas) &&
    isU64Bigint(tx.gasLimit) &&
    Array.isArray(tx.program) &&
    tx.program.length <= MAX_STEPS &&
    tx.program.every(isSszStepWellFormed)
  );
}

/** Adds the tree of an argument's union root (ByteList literal: selector 0; uint16 step reference: selector 1), its root to chunk `root`. */
function addArgTree(b: MerkleBatch, a: SszArg, root: number): void {
  if (a.selector === 0) {
    const bytes = a.value as Uint8Array;
    b.tree(b.allocBytes(bytes), (bytes.length + 31) >> 5, ARG_BYTES_DEPTH, root, bytes.length, 0);
    return;
  }
  const at = b.alloc(1);
  const ref = a.value as number;
  b.bytes[at * 32] = ref & 0xff;
  b.bytes[at * 32 + 1] = ref >>> 8;
  b.tree(at, 1, 0, root, 1);
}

/** Adds the trees of a step's arguments, and (for the next run) of their list, its root to chunk `root`. */
function addArgsTrees(b: MerkleBatch, args: readonly SszArg[], root: number): void {
  const first = b.alloc(args.length);
  for (let i = 0; i < args.length; i++) addArgTree(b, args[i] as SszArg, first + i);
  listTrees.push(first, args.length, ARGS_DEPTH, root, args.length, -1);
}


function setU64(b: MerkleBatch, at: number, x: bigint): void {
  u64View.setBigUint64(0, x, true);
  b.bytes.set(u64Bytes, at * 32);
}

/**
 * `TxType.hashTreeRoot(tx)` merkleized directly (`MerkleBatch`, src/crypto/merkle.ts), in five
 * runs: byte lists and arguments, argument lists (and require steps), call and pure steps, the
 * program, the transaction; a value that is not well-formed (`isSszTxWellFormed`) goes to `TxType`
 * itself. test/program/ssz-roots.test.ts compares the two.
 */
export function computeTxRoot(tx: SszTx): Uint8Array {
  return computeTxRoots([tx])[0] as Uint8Array;
}

/**
 * `txs.map((tx) => TxType.hashTreeRoot(tx))`, the well-formed ones merkleized together
 * (`computeTxRoot`'s five runs, each for all of them: one hashtree call per level for every
 * transaction of the list instead of per transaction).
 */
export function computeTxRoots(txs: readonly SszTx[]): Uint8Array[] {
  const b = txBatch;
  b.clear();
  /** Per transaction: its fields' first chunk, step roots' first chunk, root chunk (-1: not well-formed). */
  const at = new Int32Array(3 * txs.length).fill(-1);
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i] as SszTx;
    if (!isSszTxWellFormed(tx)) continue;
    const steps = tx.program;
    const fields = b.alloc(5);
    const stepRoots = b.alloc(steps.length);
    at[3 * i] = fields;
    at[3 * i + 1] = stepRoots;
    at[3 * i + 2] = b.alloc(1);
    for (let j = 0; j < steps.length; j++) {
      const s = steps[j] as SszStep;
      const v = s.value as { contract?: Uint8Array; method?: Uint8Array; op?: number; args?: SszArg[]; arg?: SszArg };
      if (s.selector === 0) {
        const f = b.alloc(3);
        const contract = v.contract as Uint8Array;
        const method = v.method as Uint8Array;
        b.tree(b.allocBytes(contract), (contract.length + 31) >> 5, CONTRACT_ID_DEPTH, f, contract.length);
        b.tree(b.allocBytes(method), (method.length + 31) >> 5, METHOD_DEPTH, f + 1, method.length);
        addArgsTrees(b, v.args as SszArg[], f + 2);
        stepTrees.push(f, 3, 2, stepRoots + j, 0, -1);
      } else if (s.selector === 1) {
        const f = b.alloc(2);
        b.bytes[f * 32] = v.op as number;
        addArgsTrees(b, v.args as SszArg[], f + 1);
        stepTrees.push(f, 2, 1, stepRoots + j, 1, -1);
      } else {
        // RequireStep{arg}: a container of one field, whose root is the field's.
        const arg = b.alloc(1);
        addArgTree(b, v.arg as SszArg, arg);
        listTrees.push(arg, 1, 0, stepRoots + j, 2, -1);
      }
    }
  }
  b.run();
  b.addTrees(listTrees);
  b.run();
  b.addTrees(stepTrees);
  b.run();
  for (let i = 0; i < txs.length; i++) {
    const fields = at[3 * i] as number;
    if (fields < 0) continue;
    const steps = (txs[i] as SszTx).program.length;
    b.tree(at[3 * i + 1] as number, steps, STEPS_DEPTH, fields + 4, steps);
  }
  b.run();
  for (let i = 0; i < txs.length; i++) {
    const fields = at[3 * i] as number;
    if (fields < 0) continue;
    const tx = txs[i] as SszTx;
    b.setChunk(fields, tx.sender);
    setU64(b, fields + 1, tx.nonce);
    setU64(b, fields + 2, tx.maxFeePerGas);
    setU64(b, fields + 3, tx.gasLimit);
    b.tree(fields, 5, 3, at[3 * i + 2] as number);
  }
  b.run();
  return txs.map((tx, i) => ((at[3 * i] as number) < 0 ? TxType.hashTreeRoot(tx) : b.getChunk(at[3 * i + 2] as number)));
}
