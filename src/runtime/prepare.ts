/**
 * Turns a contract's wasm bytes into the module the runtime instantiates: checks what it imports,
 * clamps its memory, keeps only its method exports, meters it (metering.ts), routes its host calls
 * through wrappers that settle host costs inside wasm, and adds the entry points through which the
 * runtime calls methods, restoring an instance's mutable globals first.
 */
import binaryen from "binaryen";
import { XshardError, isXshardError } from "../errors.js";
import { HOST_IMPORTS, type HostImportName, type HostValType } from "./host.js";
import { getDataSegments, ir } from "./ir.js";
import { assertFunctionWithinLimits, assertModuleCounts, assertModuleSize, computeStaticInstantiationCost } from "./limits.js";
import { meterModule } from "./metering.js";
import { GAS_EXPORT, GREW_EXPORT, MEMORY_EXPORT, RUN_EXPORT_PREFIX, SAVE_EXPORT, WATERMARK_EXPORT } from "./constants.js";

export { MEMORY_EXPORT, RUN_EXPORT_PREFIX, SAVE_EXPORT } from "./constants.js";
import { WebAssemblyApi } from "./wasm.js";

/** Features a contract may use: MVP, mutable globals, sign extension, non-trapping f2i, memory.copy/fill. */
const ALLOWED_FEATURES =
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt;

const HOST_MODULE = "env";

/** Internal names of what this file adds (the module's own items are named by index, see metering.ts). */
const NAMES = {
  hostImport: (base: string) => `xshard$host$${base}`,
  saved: (i: number) => `xshard$saved${i}`,
  save: "xshard$save",
  run: (i: number) => `xshard$run${i}`,
} as const;

export interface PrepareLimits {
  /** Memory maximum in 64 KiB pages: a larger declared maximum is lowered, a larger minimum refused. */
  readonly memoryPages: number;
  /** Budget of the start function. */
  readonly initialGas: bigint;
}

export interface PreparedCode {
  /** The instrumented module. */
  readonly bytes: Uint8Array;
  /** Exported functions that calls may name. */
  readonly methods: ReadonlySet<string>;
  /** What instantiating the module costs, without its start function (limits.ts). */
  readonly instantiationCost: bigint;
}

function badWasm(message: string, data: Record<string, unknown> = {}, cause?: unknown): XshardError {
  return new XshardError("BAD_WASM", message, data, { cause });
}

/** Whether an export name can be called as a method (`__*` and `_start` are reserved). */
function isMethodName(name: string): boolean {
  return !name.startsWith("__") && name !== "_start";
}

/**
 * The module without its custom sections: they never affect execution, and without the name
 * section binaryen names everything by index, so the names metering adds cannot collide.
 */
function stripCustomSections(wasm: Uint8Array): Uint8Array {
  const kept: Uint8Array[] = [wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const start = at;
    const id = wasm[at++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[at++] as number;
      size += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
    }
    at += size;
    if (id !== 0) kept.push(wasm.subarray(start, at));
  }
  return Buffer.concat(kept);
}

const BINARYEN_TYPES: Record<HostValType, binaryen.Type> = { i32: binaryen.i32 };

function toBinaryenType(types: readonly HostValType[]): binaryen.Type {
  return binaryen.createType(types.map((t) => BINARYEN_TYPES[t]));
}

/** Every import must be one of HOST_IMPORTS, with its exact signature. */
function assertImportsAllowed(m: binaryen.Module): void {
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (!f.module) continue;
    const sig = f.module === HOST_MODULE ? HOST_IMPORTS[f.base as HostImportName] : undefined;
    if (sig === undefined) throw badWasm(`unknown import ${f.module}.${f.base}`, { module: f.module, name: f.base });
    if (f.params !== toBinaryenType(sig.params) || f.results !== toBinaryenType(sig.results)) {
      throw badWasm(`import ${f.module}.${f.base} has the wrong signature`, { name: f.base });
    }
  }
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(m.getGlobalByIndex(i));
    if (g.module) throw badWasm(`global imports are not allowed (${g.module}.${g.base})`, { module: g.module, name: g.base });
  }
  for (let i = 0; i < m.getNumTables(); i++) {
    const t = binaryen.getTableInfo(m.getTableByIndex(i));
    if (t.module) throw badWasm(`table imports are not allowed (${t.module}.${t.base})`, { module: t.module, name: t.base });
  }
}

/** Removes every export but the methods (functions of type [] → []); returns the method names. */
function keepMethodExports(m: binaryen.Module): Set<string> {
  const methods = new Set<string>();
  const exports = Array.from({ length: m.getNumExports() }, (_, i) => binaryen.getExportInfo(m.getExportByIndex(i)));
  for (const e of exports) {
    const f = e.kind === binaryen.ExternalFunction ? binaryen.getFunctionInfo(m.getFunction(e.value)) : undefined;
    if (f !== undefined && isMethodName(e.name) && f.params === binaryen.none && f.results === binaryen.none) methods.add(e.name);
    else m.removeExport(e.name);
  }
  return methods;
}

/**
 * Lowers the memory maximum to `pages` (keeping a smaller declared maximum) and exports the memory as
 * MEMORY_EXPORT; returns the maximum. Refuses imported, shared, 64-bit or too large memories.
 */
function limitMemory(m: binaryen.Module, pages: number): number {
  if (!m.hasMemory()) throw badWasm("module has no memory");
  const info = m.getMemoryInfo();
  if (info.module) throw badWasm("imported memory is not allowed");
  if (info.shared || info.is64) throw badWasm("shared and 64-bit memories are not allowed");
  if (info.initial > pages) throw badWasm(`memory of ${info.initial} pages exceeds the limit of ${pages}`, { initial: info.initial, limit: pages });
  const max = Math.min(info.max ?? pages, pages);
  const segments = getDataSegments(m).map((s) => ({
    offset: s.passive ? 0 : m.i32.const(s.offset ?? 0),
    data: new Uint8Array(s.data),
    passive: s.passive,
  }));
  m.setMemory(info.initial, max, MEMORY_EXPORT, segments);
  return max;
}

/** The internal name of the global exported as `exportName`. */
function getExportedGlobal(m: binaryen.Module, exportName: string): string {
  return binaryen.getExportInfo(m.getExport(exportName)).value;
}

/**
 * Replaces each host import `env.f(params) → result?` by a wrapper of the same name and signature
 * that calls the host as `env.f(gas: f64, params) → report: f64` and subtracts from the budget what
 * the report says the host charged: `report` is the charge, or for a function with an i32 result
 * `charge × 2³² + (result as u32)` (see createHostImports). So the host sees the budget left without
 * reading the i64 global (as an f64: exact below 2⁵³, and above that no charge comes near it), fails
 * out-of-budget itself when a cost exceeds it, and never writes the budget. The wrappers are not
 * metered: the host costs are their charge.
 */
function wrapHostImports(m: binaryen.Module): void {
  const gasName = getExportedGlobal(m, GAS_EXPORT);
  const gas = (): binaryen.ExpressionRef => m.global.get(gasName, binaryen.i64);
  const settle = (charge: binaryen.ExpressionRef): binaryen.ExpressionRef => m.global.set(gasName, m.i64.sub(gas(), charge));
  const imports = Array.from({ length: m.getNumFunctions() }, (_, i) => binaryen.getFunctionInfo(m.getFunctionByIndex(i))).filter((f) => f.module);
  for (const f of imports) {
    const base = f.base as string; // every import is a host import (assertImportsAllowed)
    const params = binaryen.expandType(f.params);
    const inner = NAMES.hostImport(base);
    m.removeFunction(f.name);
    m.addFunctionImport(inner, HOST_MODULE, base, binaryen.createType([binaryen.f64, ...params]), binaryen.f64);
    const report = m.i64.trunc_u_sat.f64(m.call(inner, [m.f64.convert_s.i64(gas()), ...params.map((t, i) => m.local.get(i, t))], binaryen.f64));
    if (f.results === binaryen.none) {
      m.addFunction(f.name, f.params, f.results, [], settle(report));
      continue;
    }
    const packed = (): binaryen.ExpressionRef => m.local.get(params.length, binaryen.i64);
    const body = [m.local.set(params.length, report), settle(m.i64.shr_u(packed(), m.i64.const(32n))), m.i32.wrap(packed())];
    m.addFunction(f.name, f.params, f.results, [binaryen.i64], m.block(null, body, binaryen.i32));
  }
}

/** The constant 0 of a value type. */
function makeZero(m: binaryen.Module, type: binaryen.Type): binaryen.ExpressionRef {
  if (type === binaryen.i64) return m.i64.const(0n);
  if (type === binaryen.f32) return m.f32.const(0);
  if (type === binaryen.f64) return m.f64.const(0);
  return m.i32.const(0);
}

/**
 * Adds and exports SAVE_EXPORT and an entry point (RUN_EXPORT_PREFIX) per method: one shadow global
 * per mutable global of the module (its own and the metering's), copied in by `__save` and back by
 * each entry point. So a call takes one crossing into wasm, whatever the number of globals.
 */
function addEntryPoints(m: binaryen.Module, methods: ReadonlySet<string>): void {
  const gasName = getExportedGlobal(m, GAS_EXPORT);
  const watermark = getExportedGlobal(m, WATERMARK_EXPORT);
  const grew = getExportedGlobal(m, GREW_EXPORT);
  const globals = Array.from({ length: m.getNumGlobals() }, (_, i) => binaryen.getGlobalInfo(m.getGlobalByIndex(i))).filter((g) => g.mutable);
  globals.forEach((g, i) => m.addGlobal(NAMES.saved(i), g.type, true, makeZero(m, g.type)));
  const save = [
    m.global.set(watermark, m.i32.const(0)),
    m.global.set(grew, m.i32.const(0)),
    ...globals.map((g, i) => m.global.set(NAMES.saved(i), m.global.get(g.name, g.type))),
  ];
  m.addFunction(NAMES.save, binaryen.none, binaryen.none, [], m.block(null, save));
  m.addFunctionExport(NAMES.save, SAVE_EXPORT);
  [...methods].forEach((method, i) => {
    const run = [
      ...globals.map((g, j) => m.global.set(g.name, m.global.get(NAMES.saved(j), g.type))),
      m.global.set(gasName, m.local.get(0, binaryen.i64)),
      m.call(binaryen.getExportInfo(m.getExport(method)).value, [], binaryen.none),
      m.global.get(gasName, binaryen.i64),
    ];
    m.addFunction(NAMES.run(i), binaryen.i64, binaryen.i64, [], m.block(null, run, binaryen.i64));
    m.addFunctionExport(NAMES.run(i), `${RUN_EXPORT_PREFIX}${method}`);
  });
}

/**
 * Checks MODULE_LIMITS (limits.ts) before anything walks the code recursively: module size, counts,
 * and per defined function its locals and nesting depth.
 */
function assertWithinLimits(m: binaryen.Module): void {
  assertModuleCounts(m);
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (!f.module) assertFunctionWithinLimits(f);
  }
}

/**
 * Validates and instruments a contract module. Throws XshardError BAD_WASM when the bytes are not
 * a module, exceed a MODULE_LIMITS bound, import anything but the host interface, need more memory
 * than the limit, or use instructions or types outside the allowed set.
 */
export function prepareModule(wasm: Uint8Array, limits: PrepareLimits): PreparedCode {
  assertModuleSize(wasm);
  if (!WebAssemblyApi.validate(wasm)) throw badWasm("not a valid WebAssembly module");
  let m: binaryen.Module;
  try {
    m = ir.readBinary(stripCustomSections(wasm), binaryen.Features.All);
  } catch (e) {
    throw badWasm("binaryen cannot read the module", {}, e);
  }
  try {
    assertWithinLimits(m);
    assertImportsAllowed(m);
    const methods = keepMethodExports(m);
    const maxPages = limitMemory(m, limits.memoryPages);
    const instantiationCost = computeStaticInstantiationCost(m);
    m.setFeatures(ALLOWED_FEATURES); // before denan, which would otherwise add SIMD helpers
    m.runPasses(["denan"]);
    meterModule(m, { initialGas: limits.initialGas, maxPages });
    wrapHostImports(m);
    addEntryPoints(m, methods);
    if (!m.validate()) throw badWasm("module does not validate after instrumentation");
    return { bytes: m.emitBinary(), methods, instantiationCost };
  } catch (e) {
    if (isXshardError(e)) throw e;
    throw badWasm(`cannot instrument the module: ${e instanceof Error ? e.message : String(e)}`, {}, e);
  } finally {
    m.dispose();
  }
}
