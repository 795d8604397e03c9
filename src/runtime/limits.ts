/**
 * Engine-independent limits on a contract module, checked at registration before anything walks its
 * code recursively, and the static facts metering needs from them:
 *
 * - the size of the module, and the number of functions, globals, table elements, element and
 *   data segments, and of a function's parameters and locals (MODULE_LIMITS): each bounds real work
 *   that instantiating the module — once at registration, and again after every call that grew its
 *   memory — costs whatever the meter says;
 * - the nesting depth of a function's expressions: the code that reads, instruments and emits a
 *   module (binaryen, metering.ts) recurses once per level, so without a bound a module could make
 *   registration depend on the host's native stack;
 * - the frame size of each function in 8-byte slots — a fixed overhead, its parameters, its locals
 *   and its deepest operand stack — which the stack limiter (metering.ts) charges on entry against
 *   STACK_LIMIT, so that recursion ends at a depth fixed by the module alone, long before any
 *   engine's native stack would overflow.
 *
 * All walks here are iterative.
 */
import binaryen from "binaryen";
import { XshardError } from "../errors.js";
import { getChildren, getDataSegments, hasChildLayout } from "./ir.js";
import { DATA_BYTES_PER_UNIT, FRAME_OVERHEAD, INSTANTIATION_COSTS, LIMITER_SLOTS, MODULE_LIMITS } from "./constants.js";

export { DATA_BYTES_PER_UNIT, FRAME_OVERHEAD, INSTANTIATION_COSTS, LIMITER_SLOTS, MODULE_LIMITS, STACK_LIMIT } from "./constants.js";



function badWasm(message: string, data: Record<string, unknown>): XshardError {
  return new XshardError("BAD_WASM", message, data);
}

/** Expression classes without children that a contract may use. */
const LEAF_IDS: ReadonlySet<number> = new Set([
  binaryen.NopId,
  binaryen.UnreachableId,
  binaryen.ConstId,
  binaryen.LocalGetId,
  binaryen.GlobalGetId,
  binaryen.MemorySizeId,
]);

/** Classes whose children each start from an empty operand stack (the others stack their operands). */
const SEQUENCE_IDS: ReadonlySet<number> = new Set([binaryen.BlockId, binaryen.LoopId, binaryen.IfId]);

function isValueTyped(expr: binaryen.ExpressionRef): boolean {
  const t = binaryen.getExpressionType(expr);
  return t !== binaryen.none && t !== binaryen.unreachable;
}

/** Refuses `value` above MODULE_LIMITS[name]. */
function assertWithin(name: keyof typeof MODULE_LIMITS, value: number, what: string): void {
  const limit = MODULE_LIMITS[name];
  if (value > limit) throw badWasm(`${what}: ${value} exceeds the limit of ${limit}`, { limit: name, value, max: limit });
}

/** Refuses a module larger than MODULE_LIMITS.moduleBytes (before any parsing). */
export function assertModuleSize(wasm: Uint8Array): void {
  assertWithin("moduleBytes", wasm.length, "module size in bytes");
}

/** Refuses a module with more functions, globals, tables, table elements or segments than MODULE_LIMITS. */
export function assertModuleCounts(m: binaryen.Module): void {
  assertWithin("functions", m.getNumFunctions(), "functions");
  assertWithin("globals", m.getNumGlobals(), "globals");
  assertWithin("tables", m.getNumTables(), "tables");
  for (let i = 0; i < m.getNumTables(); i++) {
    assertWithin("tableElements", binaryen.getTableInfo(m.getTableByIndex(i)).initial, "initial table elements");
  }
  assertWithin("elementSegments", m.getNumElementSegments(), "element segments");
  assertWithin("dataSegments", getDataSegments(m).length, "data segments");
}

/** How deep a function body nests and how many operand slots it needs at most. */
export interface BodyShape {
  readonly depth: number;
  readonly operandSlots: number;
}

interface WalkFrame {
  readonly kids: binaryen.ExpressionRef[];
  next: number;
  /** Values the earlier children left on the operand stack. */
  pushed: number;
  /** Deepest operand stack seen in this expression so far. */
  deepest: number;
  readonly sequence: boolean;
}

/**
 * Nesting depth and deepest operand stack of a body, without recursion. Refuses (BAD_WASM) a body
 * nested deeper than `maxDepth` and an expression class outside the allowed set.
 */
export function computeBodyShape(body: binaryen.ExpressionRef, maxDepth: number): BodyShape {
  const stack: WalkFrame[] = [];
  let depth = 0;
  const open = (expr: binaryen.ExpressionRef): void => {
    const id = binaryen.getExpressionId(expr);
    if (!LEAF_IDS.has(id) && !hasChildLayout(id)) {
      throw badWasm("module uses an instruction outside the allowed set (MVP, sign extension, non-trapping float-to-int, memory.copy/fill)", {
        expressionId: id,
      });
    }
    stack.push({ kids: LEAF_IDS.has(id) ? [] : getChildren(expr), next: 0, pushed: 0, deepest: isValueTyped(expr) ? 1 : 0, sequence: SEQUENCE_IDS.has(id) });
    if (stack.length > depth) depth = stack.length;
    if (depth > maxDepth) throw badWasm(`expressions nested deeper than the limit of ${maxDepth}`, { limit: "expressionDepth", max: maxDepth });
  };
  open(body);
  for (;;) {
    const top = stack[stack.length - 1] as WalkFrame;
    if (top.next < top.kids.length) {
      open(top.kids[top.next++] as binaryen.ExpressionRef);
      continue;
    }
    stack.pop();
    const parent = stack[stack.length - 1];
    if (parent === undefined) return { depth, operandSlots: top.deepest };
    const child = parent.kids[parent.next - 1] as binaryen.ExpressionRef;
    parent.deepest = Math.max(parent.deepest, (parent.sequence ? 0 : parent.pushed) + top.deepest);
    if (!parent.sequence && isValueTyped(child)) parent.pushed++;
  }
}

/**
 * Refuses a defined function with more parameters plus locals than MODULE_LIMITS.functionLocals or
 * a body nested deeper than MODULE_LIMITS.expressionDepth.
 */
export function assertFunctionWithinLimits(f: binaryen.FunctionInfo): void {
  assertWithin("functionLocals", binaryen.expandType(f.params).length + f.vars.length, `parameters and locals of a function`);
  computeBodyShape(f.body, MODULE_LIMITS.expressionDepth);
}

/**
 * The slots a call of this function occupies: FRAME_OVERHEAD + parameters + locals + deepest
 * operand stack of its body + LIMITER_SLOTS. Taken after metering (its locals and operands count).
 */
export function computeFrameSlots(f: binaryen.FunctionInfo): number {
  const shape = computeBodyShape(f.body, Number.MAX_SAFE_INTEGER); // bounded before metering
  return FRAME_OVERHEAD + binaryen.expandType(f.params).length + f.vars.length + shape.operandSlots + LIMITER_SLOTS;
}


/** INSTANTIATION_COSTS applied to a module (call after its memory is set). */
export function computeStaticInstantiationCost(m: binaryen.Module): bigint {
  const c = INSTANTIATION_COSTS;
  let elements = 0;
  for (let i = 0; i < m.getNumTables(); i++) elements += binaryen.getTableInfo(m.getTableByIndex(i)).initial;
  let dataBytes = 0;
  for (const s of getDataSegments(m)) dataBytes += s.data.byteLength;
  const cost =
    c.base + c.page * m.getMemoryInfo().initial + c.tableElement * elements + c.function * m.getNumFunctions() + c.data * Math.ceil(dataBytes / DATA_BYTES_PER_UNIT);
  return BigInt(cost);
}
