/**
 * Turns a contract's wasm bytes into the module the runtime instantiates: checks what it imports,
 * clamps its memory, keeps only its method exports, meters it (metering.ts), and exports the memory
 * and every mutable global so that the runtime can snapshot and restore an instance between calls.
 */
import binaryen from "binaryen";
import { XshardError, isXshardError } from "../errors.js";
import { HOST_IMPORTS, type HostImportName, type HostValType } from "./host.js";
import { getDataSegments, ir } from "./ir.js";
import { meterModule } from "./metering.js";
import { WebAssemblyApi } from "./wasm.js";

/** Features a contract may use: MVP, mutable globals, sign extension, non-trapping f2i, memory.copy/fill. */
const ALLOWED_FEATURES =
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt;

const HOST_MODULE = "env";
export const MEMORY_EXPORT = "__memory";
const GLOBAL_EXPORT_PREFIX = "__global_";

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
  /** Export names of every mutable global (the module's and the metering's), to snapshot. */
  readonly globals: readonly string[];
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

/** Exports every mutable global as GLOBAL_EXPORT_PREFIX + index; returns the export names. */
function exportMutableGlobals(m: binaryen.Module): string[] {
  const names: string[] = [];
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(m.getGlobalByIndex(i));
    if (!g.mutable) continue;
    const name = `${GLOBAL_EXPORT_PREFIX}${i}`;
    m.addGlobalExport(g.name, name);
    names.push(name);
  }
  return names;
}

/**
 * Validates and instruments a contract module. Throws XshardError BAD_WASM when the bytes are not
 * a module, import anything but the host interface, need more memory than the limit, or use
 * instructions or types outside the allowed set.
 */
export function prepareModule(wasm: Uint8Array, limits: PrepareLimits): PreparedCode {
  if (!WebAssemblyApi.validate(wasm)) throw badWasm("not a valid WebAssembly module");
  let m: binaryen.Module;
  try {
    m = ir.readBinary(stripCustomSections(wasm), binaryen.Features.All);
  } catch (e) {
    throw badWasm("binaryen cannot read the module", {}, e);
  }
  try {
    assertImportsAllowed(m);
    const methods = keepMethodExports(m);
    const maxPages = limitMemory(m, limits.memoryPages);
    m.setFeatures(ALLOWED_FEATURES); // before denan, which would otherwise add SIMD helpers
    m.runPasses(["denan"]);
    meterModule(m, { initialGas: limits.initialGas, maxPages });
    const globals = exportMutableGlobals(m);
    if (!m.validate()) throw badWasm("module does not validate after instrumentation");
    return { bytes: m.emitBinary(), methods, globals };
  } catch (e) {
    if (isXshardError(e)) throw e;
    throw badWasm(`cannot instrument the module: ${e instanceof Error ? e.message : String(e)}`, {}, e);
  } finally {
    m.dispose();
  }
}
