/**
 * Deterministic metering: a binaryen pass that instruments a module so that it counts its own work
 * in a mutable i64 global (the remaining budget) and traps when the budget goes negative, and that
 * bounds its own call depth. The count depends only on the module bytes and the path taken, never
 * on wall-clock time or on the engine's tier-up.
 *
 * Charges are made on entry to each *region*: a function body, a loop body (on every iteration), an
 * `if` arm, and the code that follows a branch-target block in a block's list (a join point). A
 * region is charged the weighted count of its Binaryen IR nodes, excluding the regions nested in it
 * (see INSTRUCTION_COSTS). A branch or return that leaves a region early is not refunded, so the count
 * is an upper bound of the nodes executed, the same on every run.
 *
 * Also installed here:
 * - bulk memory (`memory.copy`, `memory.fill`) pays per byte, through a hook on its size operand;
 * - `memory.grow` pays per page granted and records in a flag global whether the last grow failed,
 *   so that the runtime can tell an out-of-memory trap from other traps;
 * - a stack limiter: each function adds its frame size in slots (limits.ts: overhead, parameters,
 *   locals, deepest operand stack) to a global on entry, trapping above STACK_LIMIT, and takes it
 *   off on exit, so that deep recursion fails at the same depth on every engine, long before the
 *   native stack could overflow;
 * - an instantiation charge: the first `memory.grow` a call is granted also pays what instantiating
 *   the module again costs (an instance whose memory grew is dropped after the call), a figure the
 *   runtime sets in a global;
 * - a write watermark: every store, `memory.copy` and `memory.fill` raises a global to the end of
 *   the bytes it writes, so that the runtime restores only the prefix of memory a call can have
 *   changed. Like the rest of the instrumentation it is not counted.
 */
import binaryen from "binaryen";
import { XshardError } from "../errors.js";
import { ir, mapChildren } from "./ir.js";
import { computeFrameSlots } from "./limits.js";
import {
  BULK_BYTES_PER_UNIT, GAS_EXPORT, GREW_EXPORT, GROW_PAGE_COST, INSTANTIATION_EXPORT, INSTRUCTION_COSTS, OOM_EXPORT, STACK_EXPORT, STACK_LIMIT, WATERMARK_EXPORT,
} from "./constants.js";

export {
  BULK_BYTES_PER_UNIT, GAS_EXPORT, GREW_EXPORT, GROW_PAGE_COST, INSTANTIATION_EXPORT, INSTRUCTION_COSTS, OOM_EXPORT, STACK_EXPORT, WATERMARK_EXPORT,
} from "./constants.js";


export interface MeteringConfig {
  /** Budget of the start function (calls get their own budget from the runtime). */
  readonly initialGas: bigint;
  /** Maximum memory pages; a `memory.grow` beyond it fails and sets the out-of-memory flag. */
  readonly maxPages: number;
}

/**
 * Internal names of what the pass adds. They cannot collide with the module's own: the runtime
 * strips the name section first, so binaryen names the module's items by index.
 */
const NAMES = {
  gas: "xshard$gas",
  oom: "xshard$oom",
  stack: "xshard$stack",
  watermark: "xshard$watermark",
  instantiation: "xshard$instantiation",
  grew: "xshard$grew",
  bulkHook: "xshard$bulk",
  growHook: "xshard$grow",
  exit: "xshard$exit",
} as const;

const VALUE_TYPES: ReadonlySet<number> = new Set([binaryen.none, binaryen.unreachable, binaryen.i32, binaryen.i64, binaryen.f32, binaryen.f64]);

/** Nodes without children. */
const LEAF_IDS: ReadonlySet<number> = new Set([
  binaryen.NopId,
  binaryen.UnreachableId,
  binaryen.ConstId,
  binaryen.LocalGetId,
  binaryen.GlobalGetId,
  binaryen.MemorySizeId,
]);

const STRUCTURAL_IDS: ReadonlySet<number> = new Set([binaryen.BlockId, binaryen.LoopId, binaryen.NopId]);

function badWasm(message: string, data: Record<string, unknown> = {}): XshardError {
  return new XshardError("BAD_WASM", message, data);
}

/** Static cost of one node, without its children. */
function computeNodeCost(id: number): number {
  if (STRUCTURAL_IDS.has(id)) return INSTRUCTION_COSTS.structural;
  if (id === binaryen.CallId || id === binaryen.CallIndirectId) return INSTRUCTION_COSTS.call;
  if (id === binaryen.MemoryGrowId) return INSTRUCTION_COSTS.memoryGrow;
  if (id === binaryen.MemoryCopyId || id === binaryen.MemoryFillId) return INSTRUCTION_COSTS.bulkMemory;
  return INSTRUCTION_COSTS.default;
}

class Meter {
  /** The function being metered, and its scratch local for store addresses (-1: none yet). */
  private func: binaryen.FunctionRef = 0;
  private scratch = -1;

  constructor(private readonly m: binaryen.Module) {}

  /** Meters the body of f in place. */
  meterFunction(f: binaryen.FunctionRef): void {
    this.func = f;
    this.scratch = -1;
    ir.Function.setBody(f, this.region(ir.Function.getBody(f)));
  }

  /** `watermark = max(watermark, end)` for an i32 expression `end` that may be read twice. */
  raiseWatermark(end: () => binaryen.ExpressionRef): binaryen.ExpressionRef {
    const m = this.m;
    return m.if(m.i32.gt_u(end(), m.global.get(NAMES.watermark, binaryen.i32)), m.global.set(NAMES.watermark, end()));
  }

  /** A store's address, raising the watermark to address + span (offset + bytes stored) first. */
  markStore(ptr: binaryen.ExpressionRef, span: number): binaryen.ExpressionRef {
    const m = this.m;
    if (this.scratch < 0) this.scratch = ir._BinaryenFunctionAddVar(this.func, binaryen.i32);
    const t = this.scratch;
    const end = (): binaryen.ExpressionRef => m.i32.add(m.local.get(t, binaryen.i32), m.i32.const(span | 0));
    return m.block(null, [m.local.set(t, ptr), this.raiseWatermark(end), m.local.get(t, binaryen.i32)], binaryen.i32);
  }

  /**
   * Routes a bulk operation's size through the bulk hook, with its destination kept in a local of
   * its own (the source operand, evaluated in between, may hold other bulk operations).
   */
  hookBulk(dest: binaryen.ExpressionRef, size: binaryen.ExpressionRef): { dest: binaryen.ExpressionRef; size: binaryen.ExpressionRef } {
    const m = this.m;
    const d = ir._BinaryenFunctionAddVar(this.func, binaryen.i32);
    return { dest: m.local.tee(d, dest, binaryen.i32), size: m.call(NAMES.bulkHook, [m.local.get(d, binaryen.i32), size], binaryen.i32) };
  }

  /** `gas -= cost; if (gas < 0) unreachable` */
  charge(cost: number): binaryen.ExpressionRef {
    const m = this.m;
    return m.block(null, [
      m.global.set(NAMES.gas, m.i64.sub(m.global.get(NAMES.gas, binaryen.i64), m.i64.const(BigInt(cost)))),
      m.if(m.i64.lt_s(m.global.get(NAMES.gas, binaryen.i64), m.i64.const(0n)), m.unreachable()),
    ]);
  }

  /** Meters the region rooted at expr and returns it with its charge in front. */
  region(expr: binaryen.ExpressionRef): binaryen.ExpressionRef {
    const cost = this.visit(expr);
    return cost === 0 ? expr : this.m.block(null, [this.charge(cost), expr], binaryen.getExpressionType(expr));
  }

  /** Returns the cost that expr adds to its region; meters the regions nested in it. */
  visit(expr: binaryen.ExpressionRef): number {
    const id = binaryen.getExpressionId(expr);
    const type = binaryen.getExpressionType(expr);
    if (!VALUE_TYPES.has(type)) throw badWasm("module uses a value type outside i32/i64/f32/f64", { type });
    const own = computeNodeCost(id);
    if (LEAF_IDS.has(id)) return own; // (binaryen.js has no expression info for some leaves)
    const info = binaryen.getExpressionInfo(expr) as binaryen.ExpressionInfo & Record<string, unknown>;
    const kids = (...refs: unknown[]): number => own + this.visitAll(refs);
    switch (id) {
      case binaryen.BlockId:
        return this.visitBlock(expr, (info as unknown as binaryen.BlockInfo).children);
      case binaryen.LoopId:
        ir.Loop.setBody(expr, this.region((info as unknown as binaryen.LoopInfo).body));
        return own;
      case binaryen.IfId: {
        const i = info as unknown as binaryen.IfInfo;
        ir.If.setIfTrue(expr, this.region(i.ifTrue));
        if (i.ifFalse !== 0) ir.If.setIfFalse(expr, this.region(i.ifFalse));
        return kids(i.condition);
      }
      case binaryen.CallId:
      case binaryen.CallIndirectId: {
        const i = info as unknown as binaryen.CallIndirectInfo;
        if (i.isReturn) throw badWasm("tail calls are not allowed");
        return kids(i.target, ...i.operands); // a direct call's target is a name, skipped by visitAll
      }
      case binaryen.MemoryGrowId: {
        const cost = kids(info.delta);
        ir.MemoryGrow.setDelta(expr, this.m.call(NAMES.growHook, [info.delta as number], binaryen.i32));
        return cost;
      }
      case binaryen.MemoryCopyId: {
        const cost = kids(info.dest, info.source, info.size);
        const hooked = this.hookBulk(info.dest as number, info.size as number);
        ir.MemoryCopy.setDest(expr, hooked.dest);
        ir.MemoryCopy.setSize(expr, hooked.size);
        return cost;
      }
      case binaryen.MemoryFillId: {
        const cost = kids(info.dest, info.value, info.size);
        const hooked = this.hookBulk(info.dest as number, info.size as number);
        ir.MemoryFill.setDest(expr, hooked.dest);
        ir.MemoryFill.setSize(expr, hooked.size);
        return cost;
      }
      case binaryen.LoadId:
        if (info.isAtomic) throw badWasm("atomic memory access is not allowed");
        return kids(info.ptr);
      case binaryen.StoreId: {
        if (info.isAtomic) throw badWasm("atomic memory access is not allowed");
        const cost = kids(info.ptr, info.value);
        const ptr = info.ptr as number;
        if (binaryen.getExpressionType(ptr) !== binaryen.unreachable) {
          ir.Store.setPtr(expr, this.markStore(ptr, (info.offset as number) + (info.bytes as number)));
        }
        return cost;
      }
      case binaryen.BreakId:
      case binaryen.SwitchId:
        return kids(info.condition, info.value);
      case binaryen.SelectId:
        return kids(info.ifTrue, info.ifFalse, info.condition);
      case binaryen.BinaryId:
        return kids(info.left, info.right);
      case binaryen.UnaryId:
      case binaryen.DropId:
      case binaryen.ReturnId:
      case binaryen.LocalSetId:
      case binaryen.GlobalSetId:
        return kids(info.value);
      default:
        throw badWasm("module uses an instruction outside the allowed set (MVP, sign extension, non-trapping float-to-int, memory.copy/fill)", {
          expressionId: id,
        });
    }
  }

  /** Sum of the costs of the non-null refs. */
  visitAll(refs: readonly unknown[]): number {
    let cost = 0;
    for (const r of refs) if (typeof r === "number" && r !== 0) cost += this.visit(r);
    return cost;
  }

  /**
   * A block's children belong to the enclosing region up to the first join point (the end of a
   * named child block, where branches land); each stretch after a join point is charged on arrival.
   */
  visitBlock(block: binaryen.ExpressionRef, children: readonly binaryen.ExpressionRef[]): number {
    let head: number | undefined;
    let cost = 0;
    let start = 0;
    const tails: { index: number; cost: number }[] = [];
    children.forEach((child, i) => {
      cost += this.visit(child);
      if (i + 1 < children.length && isBranchTarget(child)) {
        if (head === undefined) head = cost;
        else tails.push({ index: start, cost });
        start = i + 1;
        cost = 0;
      }
    });
    if (head === undefined) return cost;
    tails.push({ index: start, cost });
    for (const t of tails.reverse()) if (t.cost > 0) ir.Block.insertChildAt(block, t.index, this.charge(t.cost));
    return head;
  }
}

function isBranchTarget(expr: binaryen.ExpressionRef): boolean {
  return binaryen.getExpressionId(expr) === binaryen.BlockId && Boolean(ir.Block.getName(expr));
}

/** Defined (not imported) functions, in module order. */
function getDefinedFunctions(m: binaryen.Module): binaryen.FunctionInfo[] {
  const out: binaryen.FunctionInfo[] = [];
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (!info.module) out.push(info);
  }
  return out;
}

/** expr with every `return` in it (outside nested functions: there are none) made `br exit`. */
function rewriteReturns(m: binaryen.Module, expr: binaryen.ExpressionRef, exit: string): binaryen.ExpressionRef {
  mapChildren(expr, (child) => rewriteReturns(m, child, exit));
  if (binaryen.getExpressionId(expr) !== binaryen.ReturnId) return expr;
  const value = binaryen.getExpressionInfo(expr) as binaryen.ReturnInfo;
  return value.value === 0 ? m.br(exit) : m.br(exit, 0, value.value);
}

/**
 * Makes f account its frame on the stack global: on entry it adds the frame and traps above
 * STACK_LIMIT; on exit — the end of its body, or a `return`, which becomes a branch there — it takes
 * the frame off. `frame` is computeFrameSlots of the metered function.
 */
function limitStack(m: binaryen.Module, f: binaryen.FunctionRef, frame: number): void {
  const results = binaryen.getFunctionInfo(f).results;
  const stack = (): binaryen.ExpressionRef => m.global.get(NAMES.stack, binaryen.i32);
  const enter = [
    m.global.set(NAMES.stack, m.i32.add(stack(), m.i32.const(frame))),
    m.if(m.i32.gt_u(stack(), m.i32.const(STACK_LIMIT)), m.unreachable()),
  ];
  const leave = m.global.set(NAMES.stack, m.i32.sub(stack(), m.i32.const(frame)));
  const body = m.block(NAMES.exit, [...enter, rewriteReturns(m, ir.Function.getBody(f), NAMES.exit)], results);
  if (results === binaryen.none) {
    ir.Function.setBody(f, m.block(null, [body, leave]));
    return;
  }
  const result = ir._BinaryenFunctionAddVar(f, results);
  ir.Function.setBody(f, m.block(null, [m.local.set(result, body), leave, m.local.get(result, results)], results));
}

/**
 * `xshard$bulk(dest, size) → size`: charges 1 per BULK_BYTES_PER_UNIT bytes and raises the write
 * watermark to dest + size (an operation that wraps around traps anyway).
 */
function addBulkHook(m: binaryen.Module): void {
  const gas = (): binaryen.ExpressionRef => m.global.get(NAMES.gas, binaryen.i64);
  const size = (): binaryen.ExpressionRef => m.local.get(1, binaryen.i32);
  const end = (): binaryen.ExpressionRef => m.i32.add(m.local.get(0, binaryen.i32), size());
  const units = m.i64.shr_u(m.i64.extend_u(size()), m.i64.const(BigInt(Math.log2(BULK_BYTES_PER_UNIT))));
  m.addFunction(
    NAMES.bulkHook,
    binaryen.createType([binaryen.i32, binaryen.i32]),
    binaryen.i32,
    [],
    m.block(
      null,
      [
        m.global.set(NAMES.gas, m.i64.sub(gas(), units)),
        m.if(m.i64.lt_s(gas(), m.i64.const(0n)), m.unreachable()),
        m.if(m.i32.gt_u(end(), m.global.get(NAMES.watermark, binaryen.i32)), m.global.set(NAMES.watermark, end())),
        size(),
      ],
      binaryen.i32,
    ),
  );
}

/**
 * `xshard$grow(delta) → delta`: if the grow will fail (beyond maxPages) sets the out-of-memory flag,
 * else clears it and charges GROW_PAGE_COST per page, plus — on the first grant since the globals
 * were last restored (each call restores them) — the instantiation charge.
 */
function addGrowHook(m: binaryen.Module, maxPages: number): void {
  const delta = (): binaryen.ExpressionRef => m.i64.extend_u(m.local.get(0, binaryen.i32));
  const gas = (): binaryen.ExpressionRef => m.global.get(NAMES.gas, binaryen.i64);
  const fails = m.i64.gt_u(m.i64.add(m.i64.extend_u(m.memory.size()), delta()), m.i64.const(BigInt(maxPages)));
  const grant = m.block(null, [
    m.global.set(NAMES.oom, m.i32.const(0)),
    m.global.set(NAMES.gas, m.i64.sub(gas(), m.i64.mul(delta(), m.i64.const(BigInt(GROW_PAGE_COST))))),
    m.if(
      m.i32.eqz(m.global.get(NAMES.grew, binaryen.i32)),
      m.block(null, [
        m.global.set(NAMES.grew, m.i32.const(1)),
        m.global.set(NAMES.gas, m.i64.sub(gas(), m.global.get(NAMES.instantiation, binaryen.i64))),
      ]),
    ),
    m.if(m.i64.lt_s(gas(), m.i64.const(0n)), m.unreachable()),
  ]);
  m.addFunction(
    NAMES.growHook,
    binaryen.i32,
    binaryen.i32,
    [],
    m.block(null, [m.if(fails, m.global.set(NAMES.oom, m.i32.const(1)), grant), m.local.get(0, binaryen.i32)], binaryen.i32),
  );
}

/**
 * Instruments every function defined in `m`, in place: region charges, the bulk-memory and grow
 * hooks, the write watermark and the stack limiter. Adds the gas, out-of-memory, stack, watermark
 * instantiation-charge and grew-this-call globals, exported as GAS_EXPORT, OOM_EXPORT, STACK_EXPORT,
 * WATERMARK_EXPORT, INSTANTIATION_EXPORT and GREW_EXPORT.
 * Throws BAD_WASM for instructions or types outside the allowed set. The module must have a memory
 * and no name section (see NAMES).
 */
export function meterModule(m: binaryen.Module, config: MeteringConfig): void {
  const meter = new Meter(m);
  for (const f of getDefinedFunctions(m)) {
    const ref = m.getFunction(f.name);
    meter.meterFunction(ref);
    limitStack(m, ref, computeFrameSlots(binaryen.getFunctionInfo(ref)));
  }

  m.addGlobal(NAMES.gas, binaryen.i64, true, m.i64.const(config.initialGas));
  m.addGlobal(NAMES.oom, binaryen.i32, true, m.i32.const(0));
  m.addGlobal(NAMES.stack, binaryen.i32, true, m.i32.const(0));
  m.addGlobal(NAMES.watermark, binaryen.i32, true, m.i32.const(0));
  m.addGlobal(NAMES.instantiation, binaryen.i64, true, m.i64.const(0n));
  m.addGlobal(NAMES.grew, binaryen.i32, true, m.i32.const(0));
  addBulkHook(m);
  addGrowHook(m, config.maxPages);
  m.addGlobalExport(NAMES.gas, GAS_EXPORT);
  m.addGlobalExport(NAMES.oom, OOM_EXPORT);
  m.addGlobalExport(NAMES.stack, STACK_EXPORT);
  m.addGlobalExport(NAMES.watermark, WATERMARK_EXPORT);
  m.addGlobalExport(NAMES.instantiation, INSTANTIATION_EXPORT);
  m.addGlobalExport(NAMES.grew, GREW_EXPORT);
}
