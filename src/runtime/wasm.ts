/**
 * Typings for the part of the WebAssembly JS API the runtime uses. Node provides the API; the
 * project's TypeScript libs (ES2023 + node types) do not declare it.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmGlobal {
  value: number | bigint;
}

export interface WasmModule {
  readonly kind?: "WebAssembly.Module";
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  RuntimeError: abstract new (...args: never[]) => Error;
}

export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
