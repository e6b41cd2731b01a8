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

const MAX_ERROR_TEXT = 300;

/**
 * The user-facing text of a binding error. Its messages are anyhow reports: "Outer (/…/src/x.rs:1:2)\nCaused by:\n
 *   Inner (/…/y.rs:3:4)\n    timed out\n\nStack backtrace:\n …". Keep the chain of causes on one line and drop the
 * backtrace and the Rust source locations, which say nothing to a user and leak the build machine's paths.
 */
export function bindingErrorText(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const text = raw
    .split(/\n\s*Stack backtrace:/)[0]!
    .replace(/\s*\((?:[A-Za-z]:)?[^()\s]*\.rs:\d+(?::\d+)?\)/g, '')
    .replace(/\s+at \S+\.rs:\d+(?::\d+)?/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== 'Caused by:')
    .join(': ');
  const out = text === '' ? 'unknown error in the Iroh binding' : text;
  return out.length > MAX_ERROR_TEXT ? `${out.slice(0, MAX_ERROR_TEXT - 1)}…` : out;
}
