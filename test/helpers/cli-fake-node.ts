// A scripted NodeApi for the RPC and daemon layer tests (the command tests use the real node): it records calls,
// answers with values derived from its arguments, throws typed errors on request, and streams watch entries
// until the caller aborts.
import { LatticeError } from '../../host/model/errors.js';
import type { HistoryEntry, NodeApi, StatusInfo } from '../../host/node/api.js';

export interface FakeNode extends NodeApi {
  readonly calls: { method: string; params: unknown[] }[];
  closed: number;
  /** Resolves with the abort reason when a watch's signal aborts. */
  watchAborted: Promise<unknown>;
}

export function entry(seq: number): HistoryEntry {
  return {
    seq, hash: 'ab'.repeat(32), author: 'cd'.repeat(32), time: new Date(1_700_000_000_000 + seq).toISOString(),
    hlc: `${1_700_000_000_000 + seq}.0`, witnessedAt: new Date(1_700_000_000_000).toISOString(), cid: 'b3:' + 'ef'.repeat(32),
    result: 'applied', code: 0, op: { method: 'increment', args: ['n'] },
  };
}

export function fakeNode(opts: { watchEntries?: number } = {}): FakeNode {
  const calls: { method: string; params: unknown[] }[] = [];
  let onWatchAbort: (reason: unknown) => void = () => undefined;
  const record = (method: string, ...params: unknown[]): void => void calls.push({ method, params });
  const status: StatusInfo = {
    nodeId: '11'.repeat(32), dataDir: '/fake', daemon: false, addrs: ['127.0.0.1:4000'],
    meshes: [{ meshId: '22'.repeat(16), rootStoreId: '33'.repeat(16), peers: 1 }], stores: 2, peers: 1,
  };
  const node: FakeNode = {
    calls,
    closed: 0,
    watchAborted: new Promise((resolve) => (onWatchAbort = resolve)),
    async status() { record('status'); return status; },
    async modulePublish(wasm, storeType) {
      record('modulePublish', wasm, storeType);
      if (!(wasm instanceof Uint8Array)) throw new LatticeError('E_BAD_ARGUMENT', 'wasm is not bytes');
      return { cid: 'b3:' + Buffer.from(wasm).toString('hex'), storeType, hotfix: false, verified: true };
    },
    async moduleList() { record('moduleList'); return []; },
    async moduleShow(cid) {
      record('moduleShow', cid);
      throw new LatticeError('E_MODULE_NOT_FOUND', `no module ${cid}`, { cid, sizes: [1, 2] });
    },
    async moduleReplay(store, wasm) {
      record('moduleReplay', store, wasm);
      return { equivalent: false, intentions: 3, firstDivergence: { seq: 2, keys: { n: ['1', '2'] } } };
    },
    async storeCreate(storeType, name) {
      record('storeCreate', storeType, name);
      if (storeType === 'nope:missing') throw new LatticeError('E_UNKNOWN_STORE_TYPE', `no module for ${storeType}`, { storeType });
      return { storeId: '44'.repeat(16), storeType, cid: 'b3:00', ...(name === undefined ? {} : { name }) };
    },
    async storeList() { record('storeList'); return []; },
    async storeInfo(store) { record('storeInfo', store); throw Object.assign(new Error('disk on fire'), { code: 'EIO' }); },
    async storeExec(store, method, args) { record('storeExec', store, method, args); return { intentions: ['55'.repeat(32)], result: null, outcomes: [{ hash: '55'.repeat(32), seq: 2, result: 'applied', code: 0 }] }; },
    async storeQuery(store, method, args) { record('storeQuery', store, method, args); return { result: args.length }; },
    async storeHistory(store, o) { record('storeHistory', store, o); return [entry(1), entry(2)]; },
    async *storeWatch(store, signal) {
      record('storeWatch', store);
      signal.addEventListener('abort', () => onWatchAbort(signal.reason), { once: true });
      if (store === 'missing') throw new LatticeError('E_UNKNOWN_STORE', `no store ${store}`, { store });
      for (let seq = 1; seq <= (opts.watchEntries ?? Infinity); seq++) {
        if (signal.aborted) return;
        yield entry(seq);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async storeVerify(store) { record('storeVerify', store); return { ok: true, records: 4 }; },
    async storeResume(store) { record('storeResume', store); return { ok: true }; },
    async storeRebuild(store) { record('storeRebuild', store); return { seq: 4, stateHash: '66'.repeat(32) }; },
    async peerInvite(o) { record('peerInvite', o); return { token: 'lattice1abc', expires: new Date(0).toISOString() }; },
    async peerJoin(token) { record('peerJoin', token); throw new LatticeError('E_INVITE_INVALID', 'bad token', { token }); },
    async peerList() { record('peerList'); return []; },
    async peerRevoke(nodeId) { record('peerRevoke', nodeId); return { ok: true }; },
    async sync(store) { record('sync', store); return { peers: 0, sent: 0, received: 0, unreachable: [] }; },
    async close() { node.closed++; },
  };
  return node;
}
