// Loading and byte conversion for @number0/iroh 1.1.0 (DESIGN §7). Its package.json `main` is broken, so a plain
// require prints a DeprecationWarning: load index.js explicitly, once, on first use (the CLI only pays for it in
// commands that network). The binding takes and returns bytes as Array<number> only; convert with indexed loops
// (Array.from(u8) is 6× slower; Uint8Array.from(array) is fast).
import { createRequire } from 'node:module';
import type * as Iroh from '@number0/iroh/index.js';

export type IrohModule = typeof Iroh;
let loaded: IrohModule | undefined;

export function loadIroh(): IrohModule {
  loaded ??= createRequire(import.meta.url)('@number0/iroh/index.js') as IrohModule;
  return loaded;
}

export function toArray(bytes: Uint8Array): number[] {
  const out = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]!;
  return out;
}

export function fromArray(array: readonly number[]): Uint8Array {
  return Uint8Array.from(array);
}

export const ALPN = 'lattice/1';
