// The node's loaded state machines, by (CID, limits). The kernel asks for a machine synchronously while it applies;
// loading (instrumenting, compiling) is asynchronous, so the node loads every module it may need before it opens or
// ingests into a store: the shipped ones, every module in its CAS, and any it fetches or publishes.
import type { StateMachine } from '../kernel/state-machine.js';
import { cidToString, DEFAULT_LIMITS, LatticeError, toHex, type Cid, type ConsensusLimits } from '../model/index.js';
import { limitsHash, type ModuleCas, type ModuleRuntime } from '../runtime/index.js';

const key = (cid: Cid, limits: ConsensusLimits): string => `${toHex(cid)}/${toHex(limitsHash(limits))}`;

export class MachineCache {
  private readonly loaded = new Map<string, StateMachine>();

  constructor(
    private readonly runtime: ModuleRuntime,
    private readonly cas: ModuleCas,
  ) {}

  /** Loads a module under the given limits (instrumenting it once per node). */
  async load(cid: Cid, limits: ConsensusLimits = DEFAULT_LIMITS): Promise<StateMachine> {
    const k = key(cid, limits);
    let m = this.loaded.get(k);
    if (!m) {
      m = await this.runtime.load(cid, limits);
      this.loaded.set(k, m);
    }
    return m;
  }

  has(cid: Cid, limits: ConsensusLimits = DEFAULT_LIMITS): boolean {
    return this.loaded.has(key(cid, limits));
  }

  /** The machine, if loaded; a store asking for a module it does not have pauses until the node fetches it. */
  get(cid: Cid, limits: ConsensusLimits): StateMachine {
    const m = this.loaded.get(key(cid, limits));
    if (m) return m;
    throw new LatticeError('E_MODULE_NOT_FOUND', `module ${cidToString(cid)} is not loaded on this node${this.cas.hasModule(cid) ? '' : ' (its bytes are not here: fetch it from a peer)'}`, { cid: cidToString(cid) });
  }
}
