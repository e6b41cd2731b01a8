// A generic walk over binaryen's expression tree for the feature allowlist (MVP + mutable-globals + sign-ext +
// nontrapping-f2i + bulk-memory + multi-value). binaryen.js has no generic child iterator, so the children of each
// allowed expression kind are listed here; any other kind names the rejected feature it belongs to.
import { LatticeError } from '../model/index.js';
import { accessors, type Binaryen } from './binaryen-loader.js';

/** Visits a child and returns the expression to put in its place (the same one if unchanged). */
export type Rewrite = (child: number) => number;

type ChildWalker = (e: number, rewrite: Rewrite) => void;

function fields(b: Binaryen, kind: string, names: readonly string[]): ChildWalker {
  const a = accessors(b, kind);
  const pairs = names.map((n) => [a[`get${n}`]!, a[`set${n}`]!] as const);
  return (e, rewrite) => {
    for (const [get, set] of pairs) {
      const child = get(e);
      if (child === 0) continue; // optional child (br without value, if without else, return without value)
      const next = rewrite(child);
      if (next !== child) set(e, next);
    }
  };
}

function list(b: Binaryen, kind: string, count: string, at: string): ChildWalker {
  const a = accessors(b, kind);
  const num = a[`getNum${count}`]!;
  const get = a[`get${at}At`]!;
  const set = a[`set${at}At`]!;
  return (e, rewrite) => {
    const n = num(e);
    for (let i = 0; i < n; i++) {
      const child = get(e, i);
      const next = rewrite(child);
      if (next !== child) set(e, i, next);
    }
  };
}

/** Feature names of the expression kinds outside the allowlist, by binaryen's expression id names. */
function forbiddenFeature(idName: string): string {
  if (/^(Atomic|Pause|StructWait|Waitqueue)/.test(idName)) return 'threads (atomics)';
  if (/^SIMD/.test(idName)) return 'simd';
  if (/^(Try|Throw|Rethrow|Pop)/.test(idName)) return 'exception-handling';
  if (/^String/.test(idName)) return 'strings';
  if (/^(Cont|Suspend|Resume|StackSwitch)/.test(idName)) return 'stack-switching';
  if (/^(Struct|Array|I31|RefI31|RefTest|RefCast|BrOn|CallRef|RefAs|RefGetDesc)/.test(idName)) return 'gc';
  if (/^(Ref|Table|ElemDrop)/.test(idName)) return 'reference-types';
  if (/^WideInt/.test(idName)) return 'wide-arithmetic';
  return `unknown (${idName})`;
}

export interface ExpressionWalker {
  /** Calls `rewrite` on every child of `e` in evaluation order, replacing each with the result. */
  children(e: number, rewrite: Rewrite): void;
}

/** Builds the child table once per binaryen instance; throws E_FORBIDDEN_FEATURE for kinds outside the list. */
export function createExpressionWalker(b: Binaryen): ExpressionWalker {
  const table = new Map<number, ChildWalker>();
  const leaf: ChildWalker = () => {};
  const add = (kind: string, w: ChildWalker): void => void table.set((b as unknown as Record<string, number>)[`${kind}Id`]!, w);
  add('Nop', leaf);
  add('Block', list(b, 'Block', 'Children', 'Child'));
  add('If', fields(b, 'If', ['Condition', 'IfTrue', 'IfFalse']));
  add('Loop', fields(b, 'Loop', ['Body']));
  // br/br_table evaluate the value before the condition
  add('Break', fields(b, 'Break', ['Value', 'Condition']));
  add('Switch', fields(b, 'Switch', ['Value', 'Condition']));
  const call = list(b, 'Call', 'Operands', 'Operand');
  const callReturn = accessors(b, 'Call').isReturn!;
  add('Call', (e, r) => {
    if (callReturn(e)) throw forbidden('tail-call');
    call(e, r);
  });
  const indirectOps = list(b, 'CallIndirect', 'Operands', 'Operand');
  const indirectTarget = fields(b, 'CallIndirect', ['Target']);
  const indirectReturn = accessors(b, 'CallIndirect').isReturn!;
  add('CallIndirect', (e, r) => {
    if (indirectReturn(e)) throw forbidden('tail-call');
    indirectOps(e, r);
    indirectTarget(e, r);
  });
  add('LocalGet', leaf);
  add('LocalSet', fields(b, 'LocalSet', ['Value']));
  add('GlobalGet', leaf);
  add('GlobalSet', fields(b, 'GlobalSet', ['Value']));
  add('Load', fields(b, 'Load', ['Ptr']));
  add('Store', fields(b, 'Store', ['Ptr', 'Value']));
  add('Const', leaf);
  add('Unary', fields(b, 'Unary', ['Value']));
  add('Binary', fields(b, 'Binary', ['Left', 'Right']));
  add('Select', fields(b, 'Select', ['IfTrue', 'IfFalse', 'Condition']));
  add('Drop', fields(b, 'Drop', ['Value']));
  add('Return', fields(b, 'Return', ['Value']));
  add('MemorySize', leaf);
  add('MemoryGrow', fields(b, 'MemoryGrow', ['Delta']));
  add('Unreachable', leaf);
  add('MemoryInit', fields(b, 'MemoryInit', ['Dest', 'Offset', 'Size']));
  add('DataDrop', leaf);
  add('MemoryCopy', fields(b, 'MemoryCopy', ['Dest', 'Source', 'Size']));
  add('MemoryFill', fields(b, 'MemoryFill', ['Dest', 'Value', 'Size']));
  add('TupleMake', list(b, 'TupleMake', 'Operands', 'Operand'));
  add('TupleExtract', fields(b, 'TupleExtract', ['Tuple']));

  const idNames = new Map<number, string>();
  for (const [k, v] of Object.entries(b)) if (/^[A-Z]\w*Id$/.test(k) && typeof v === 'number') idNames.set(v, k.slice(0, -2));

  return {
    children(e, rewrite) {
      const id = b.getExpressionId(e);
      const w = table.get(id);
      if (w === undefined) throw forbidden(forbiddenFeature(idNames.get(id) ?? `expression id ${id}`));
      w(e, rewrite);
    },
  };
}

export function forbidden(feature: string, detail?: string): LatticeError {
  return new LatticeError(
    'E_FORBIDDEN_FEATURE',
    `the module uses the WebAssembly feature '${feature}', which Lattice rejects${detail ? ` (${detail})` : ''}; allowed: MVP, mutable-globals, sign-ext, nontrapping-f2i, bulk-memory, multi-value`,
    { feature },
  );
}
