/**
 * Typings for the parts of binaryen.js (v132) that its bundled index.d.ts leaves out: the expression
 * and function classes used to edit IR in place, data segments, and reading with a feature set; and
 * a generic way to replace an expression's children.
 */
import binaryen from "binaryen";

type Ref = binaryen.ExpressionRef;

interface ExpressionClasses {
  Function: { getBody(f: binaryen.FunctionRef): Ref; setBody(f: binaryen.FunctionRef, body: Ref): void };
  Block: { getName(e: Ref): string | null; insertChildAt(e: Ref, index: number, child: Ref): void };
  Loop: { setBody(e: Ref, body: Ref): void };
  If: { setIfTrue(e: Ref, arm: Ref): void; setIfFalse(e: Ref, arm: Ref): void };
  Store: { setPtr(e: Ref, ptr: Ref): void };
  MemoryGrow: { setDelta(e: Ref, delta: Ref): void };
  MemoryCopy: { setDest(e: Ref, dest: Ref): void; setSize(e: Ref, size: Ref): void };
  MemoryFill: { setDest(e: Ref, dest: Ref): void; setSize(e: Ref, size: Ref): void };
  readBinary(data: Uint8Array, features: binaryen.Features): binaryen.Module;
  /** Adds a local to a function; returns its index. */
  _BinaryenFunctionAddVar(f: binaryen.FunctionRef, type: binaryen.Type): number;
}

/** binaryen with the classes its typings omit. */
export const ir = binaryen as unknown as ExpressionClasses;

export interface DataSegmentInfo {
  readonly offset: number | null;
  readonly data: ArrayBuffer;
  readonly passive: boolean;
}

interface DataSegmentApi {
  getNumDataSegments(): number;
  getDataSegmentByIndex(index: number): number;
  getDataSegmentInfo(segment: number): DataSegmentInfo;
}

/** The data segments of a module, in order. */
export function getDataSegments(m: binaryen.Module): DataSegmentInfo[] {
  const api = m as unknown as DataSegmentApi;
  return Array.from({ length: api.getNumDataSegments() }, (_, i) => api.getDataSegmentInfo(api.getDataSegmentByIndex(i)));
}

/** binaryen.js accessor classes, by name (`binaryen.If.getCondition(e)`, …). */
type AccessorClass = Record<string, (e: Ref, ...rest: number[]) => number>;
const classes = binaryen as unknown as Record<string, AccessorClass>;

interface ChildLayout {
  readonly cls: string;
  /** Single-child slots, in evaluation order (`get${slot}` / `set${slot}`). */
  readonly slots: readonly string[];
  /** A list of children after the slots. */
  readonly list?: ChildList;
}

/** The accessors of a list of children. */
interface ChildList {
  readonly count: string;
  readonly get: string;
  readonly set: string;
}

const BLOCK_CHILDREN: ChildList = { count: "getNumChildren", get: "getChildAt", set: "setChildAt" };
const OPERANDS: ChildList = { count: "getNumOperands", get: "getOperandAt", set: "setOperandAt" };

/** Where the children of each expression class a metered module may contain are (metering.ts refuses the others). */
const CHILD_LAYOUTS = new Map<number, ChildLayout>([
  [binaryen.BlockId, { cls: "Block", slots: [], list: BLOCK_CHILDREN }],
  [binaryen.LoopId, { cls: "Loop", slots: ["Body"] }],
  [binaryen.IfId, { cls: "If", slots: ["Condition", "IfTrue", "IfFalse"] }],
  [binaryen.CallId, { cls: "Call", slots: [], list: OPERANDS }],
  [binaryen.CallIndirectId, { cls: "CallIndirect", slots: ["Target"], list: OPERANDS }],
  [binaryen.MemoryGrowId, { cls: "MemoryGrow", slots: ["Delta"] }],
  [binaryen.MemoryCopyId, { cls: "MemoryCopy", slots: ["Dest", "Source", "Size"] }],
  [binaryen.MemoryFillId, { cls: "MemoryFill", slots: ["Dest", "Value", "Size"] }],
  [binaryen.LoadId, { cls: "Load", slots: ["Ptr"] }],
  [binaryen.StoreId, { cls: "Store", slots: ["Ptr", "Value"] }],
  [binaryen.BreakId, { cls: "Break", slots: ["Condition", "Value"] }],
  [binaryen.SwitchId, { cls: "Switch", slots: ["Condition", "Value"] }],
  [binaryen.SelectId, { cls: "Select", slots: ["IfTrue", "IfFalse", "Condition"] }],
  [binaryen.BinaryId, { cls: "Binary", slots: ["Left", "Right"] }],
  [binaryen.UnaryId, { cls: "Unary", slots: ["Value"] }],
  [binaryen.DropId, { cls: "Drop", slots: ["Value"] }],
  [binaryen.ReturnId, { cls: "Return", slots: ["Value"] }],
  [binaryen.LocalSetId, { cls: "LocalSet", slots: ["Value"] }],
  [binaryen.GlobalSetId, { cls: "GlobalSet", slots: ["Value"] }],
]);

/**
 * Replaces each child of `expr` by what `f` returns for it (the child itself, or an expression of
 * the same type). Leaves (constants, local.get, …) have no children.
 */
export function mapChildren(expr: Ref, f: (child: Ref) => Ref): void {
  const layout = CHILD_LAYOUTS.get(binaryen.getExpressionId(expr));
  if (layout === undefined) return;
  const c = classes[layout.cls] as AccessorClass;
  for (const slot of layout.slots) {
    const child = (c[`get${slot}`] as AccessorClass[string])(expr);
    if (child !== 0) {
      const mapped = f(child);
      if (mapped !== child) (c[`set${slot}`] as AccessorClass[string])(expr, mapped);
    }
  }
  const list = layout.list;
  if (list === undefined) return;
  const count = (c[list.count] as AccessorClass[string])(expr);
  for (let i = 0; i < count; i++) {
    const child = (c[list.get] as AccessorClass[string])(expr, i);
    const mapped = f(child);
    if (mapped !== child) (c[list.set] as AccessorClass[string])(expr, i, mapped);
  }
}

/** The children of `expr` in evaluation order (none for leaves and for classes not in CHILD_LAYOUTS). */
export function getChildren(expr: Ref): Ref[] {
  const out: Ref[] = [];
  mapChildren(expr, (child) => {
    out.push(child);
    return child;
  });
  return out;
}

/** Whether expressions of this class are listed in CHILD_LAYOUTS (they may have children). */
export function hasChildLayout(id: number): boolean {
  return CHILD_LAYOUTS.has(id);
}
