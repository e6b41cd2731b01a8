// CLI arguments → a kernel Call, by the module's describe() schema; refusals are typed (E_UNKNOWN_METHOD lists the
// methods, E_BAD_ARGUMENT the expected arguments). The conversion itself is abi/args.ts.
import { callFromStrings as convert } from '../../abi/args.js';
import type { Call, ModuleDescription } from '../kernel/state-machine.js';
import { LatticeError } from '../model/index.js';

export function callFromStrings(description: ModuleDescription, kind: 'command' | 'query', method: string, args: readonly string[]): Call {
  const r = convert(description.methods, kind, method, args);
  if (!r.ok) {
    throw new LatticeError(r.code, r.message, {
      method,
      methods: description.methods.map((m) => ({ name: m.name, kind: m.kind, args: m.args })),
    });
  }
  return { method: r.method, args: r.args };
}
