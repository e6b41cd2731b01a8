// Typings for the part of Node's global WebAssembly API the runtime uses (the project's lib has no DOM types).

export interface WasmGlobal {
  value: number;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export type WasmExports = Record<string, unknown>;
export type WasmImports = Record<string, Record<string, (...args: number[]) => number | void>>;

export interface WasmModule {
  readonly __wasmModule: true;
}

export interface WasmInstance {
  readonly exports: WasmExports;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: { new (bytes: Uint8Array): WasmModule; exports(module: WasmModule): { name: string; kind: string }[] };
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  RuntimeError: new (message?: string) => Error;
}

/** Node's WebAssembly namespace, typed. */
export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
