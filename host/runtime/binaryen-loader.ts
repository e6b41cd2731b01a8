// Lazy access to binaryen (megabytes of JS, ~0.4 s to load): only a module new to this node pays for it.
import type BinaryenNs from 'binaryen';

export type Binaryen = typeof BinaryenNs;
export type BinaryenModule = InstanceType<Binaryen['Module']>;

let loading: Promise<Binaryen> | undefined;

/** The binaryen namespace, imported on first use. */
export function loadBinaryen(): Promise<Binaryen> {
  loading ??= import('binaryen').then((m) => m.default);
  return loading;
}

/** The expression-class accessors binaryen.js has but its .d.ts does not declare (get/set children). */
export type Accessors = Record<string, (...args: number[]) => number>;
export const accessors = (b: Binaryen, kind: string): Accessors => (b as unknown as Record<string, Accessors>)[kind]!;
/** Raw C-API functions (e.g. _BinaryenFunctionAddVar), exported by binaryen.js but undeclared. */
export const capi = (b: Binaryen, name: string): ((...args: number[]) => number) =>
  (b as unknown as Record<string, (...args: number[]) => number>)[name]!;
