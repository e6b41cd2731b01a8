// The native `core:rootstore` store type (DESIGN §5): a mesh's root store. Its ops are system ops (root-ops.ts)
// applied through the kernel's SystemOpHandler; it has no app ops and no module (cid ZERO).
import type { AuthorizeVerdict, StoreEngine, StoreOpener } from '../kernel/engine.js';
import type { ApplyInput, ApplyOutcome, Call, CommandOutcome, ModuleDescription, QueryOutcome, StateMachine } from '../kernel/state-machine.js';
import type { SystemOpHandler } from '../kernel/system-ops.js';
import { LatticeError, REJECTION, ZERO_CID, type Hash, type SignedIntention } from '../model/index.js';
import { applyRootOp, decodeRootOp, ROOT_OPS } from './root-ops.js';

export const ROOT_STORE_TYPE = 'core:rootstore';

const DESCRIPTION: ModuleDescription = { name: ROOT_STORE_TYPE, version: '1', methods: [] };

/** The root store's app side: there is none; app ops are rejected deterministically. */
class RootMachine implements StateMachine {
  readonly cid = ZERO_CID;
  describe(): ModuleDescription {
    return DESCRIPTION;
  }
  apply(_input: ApplyInput): ApplyOutcome {
    return { code: REJECTION.E_UNKNOWN_METHOD, writes: [], fuel: 0, message: 'the root store has no app ops' };
  }
  command(call: Call): CommandOutcome {
    throw new LatticeError('E_UNKNOWN_METHOD', `the root store has no method ${call.method}; use lattice peer …`, { methods: [] });
  }
  query(call: Call): QueryOutcome {
    throw new LatticeError('E_UNKNOWN_METHOD', `the root store has no method ${call.method}`, { methods: [] });
  }
}

export const rootOpsHandler: SystemOpHandler = {
  ops: ROOT_OPS,
  apply(op, input, system) {
    const decoded = decodeRootOp(op as Record<string, unknown> & { op: string });
    applyRootOp(decoded, { hash: input.hash, author: input.intention.author, hlc: input.intention.timestamp }, system);
    return { code: 0 };
  },
};

/** The opener for root stores; `authorize` is the node's membership check for this mesh. */
export function rootStoreOpener(authorize?: (signed: SignedIntention, hash: Hash) => AuthorizeVerdict): StoreOpener {
  const machine = new RootMachine();
  return (): StoreEngine => ({
    machineFor: () => machine,
    systemHandlers: [rootOpsHandler],
    ...(authorize ? { authorize } : {}),
  });
}
