// The Node (DESIGN §8): one data dir, one process. It wires storage, the store manager, the module runtime and
// registry, the root stores of its meshes, and (in a daemon, or for network commands) replication. It implements
// NodeApi, the calls every client makes, embedded or through the daemon.
import { existsSync, writeFileSync } from 'node:fs';
import { encodeSystemOp, StoreManager, type Store, type StoreEngine, type StoreMeta } from '../kernel/index.js';
import {
  cidToString, DEFAULT_LIMITS, fromHex, LatticeError, NodeKey, parseCid, rejectionName, toHex, ZERO_CID,
  type Cid, type NodeId, type SignedIntention, type StoreId,
} from '../model/index.js';
import { createMemoryCasTable, createRuntime, ModuleCas, type CasTable, type ModuleRuntime } from '../runtime/index.js';
import { openStorage, type StorageEnv } from '../storage/index.js';
import type { ExecResult, HistoryEntry, ModuleInfo, NodeApi, PublishResult, ReplayReport, StatusInfo, StoreInfo, StoreSummary, SyncSummary } from './api.js';
import { dataDirPaths, ensureDataDir, isInitialized, readNodeConfigFile, readNodeKeySeed, requireInitialized, type DataDirPaths } from './data-dir.js';
import { acquireLockWaiting, type DataDirLock } from './lock.js';
import { MachineCache } from './machines.js';
import { meshView, type MeshView } from './mesh.js';
import { ROOT_STORE_TYPE, rootStoreOpener } from './root-store.js';
import { loadShippedModules } from './shipped-modules.js';
import { historyEntry, storeSummary } from './views.js';
import { idsByPrefix } from './id-prefix.js';
import { systemTable } from './system-table.js';
import { callFromStrings } from './args.js';
import { outputToJson } from './output.js';
import { authorizeIn, guardRevoked } from './authorize.js';
import type { NetworkService } from './network.js';
import type { Transport } from '../net/transport.js';
import { replayVerify } from './hotfix.js';
import { freeUdpPort, startNetwork, withNetwork } from './start-network.js';
import { shippedCids } from './shipped-modules.js';
import { UpgradeGate } from './upgrade-gate.js';

export interface NodeOptions {
  dataDir: string;
  /** True when this node serves a daemon (status reports it): it keeps its network running, syncs and pushes. */
  daemon?: boolean;
  /** Start the network without being a daemon (tests, the demo). */
  network?: boolean;
  /** A relay server URL (relays are off without one). */
  relayUrl?: string;
  /** Use this transport instead of Iroh (the in-memory ChannelTransport in tests and the simulator). */
  transport?: Transport;
  now?: () => number;
  /** How long to wait for another process to release the data dir's lock before E_DATA_DIR_LOCKED (default 0). */
  lockWaitMs?: number;
}

export interface NodeConfig {
  meshes: { meshId: string; joinedAt: number }[];
  defaultMesh?: string;
  /** The UDP port the node listens on, kept across restarts so invite tokens stay valid. */
  port?: number;
  /** Addresses of peers learned from invites and joins (node id → ip:port). */
  peers?: Record<string, string[]>;
}

/** The longest store name `store create --name` takes. */
const MAX_STORE_NAME = 128;

/** Creates the data dir, the node key and a new mesh. */
export async function initNode(dataDir: string): Promise<{ nodeId: string; dataDir: string; meshId: string }> {
  if (isInitialized(dataDir)) {
    requireInitialized(dataDir); // a node with a part missing is E_DATA_DIR_CORRUPT, not made anew over its data
    throw new LatticeError('E_ALREADY_INITIALIZED', `${dataDirPaths(dataDir).dataDir} already holds a node`, { dataDir: dataDirPaths(dataDir).dataDir });
  }
  const paths = ensureDataDir(dataDir);
  writeFileSync(paths.keyFile, toHex(NodeKey.generate().seed) + '\n', { mode: 0o600 });
  writeFileSync(paths.configFile, JSON.stringify({ meshes: [], port: await freeUdpPort() }, null, 2) + '\n');
  const node = await Node.open({ dataDir });
  try {
    const meshId = await node.createMesh();
    return { nodeId: toHex(node.key.publicKey), dataDir: paths.dataDir, meshId };
  } finally {
    await node.close();
  }
}

export async function openNode(opts: NodeOptions): Promise<Node> {
  return Node.open(opts);
}

function lmdbCas(env: StorageEnv): CasTable {
  const t = env.tables.modules;
  return {
    get: (k) => {
      const v = t.get(Buffer.from(k));
      return v === undefined ? undefined : new Uint8Array(v);
    },
    put: async (k, v) => {
      await t.put(Buffer.from(k), new Uint8Array(v));
    },
  };
}

export class Node implements NodeApi {
  readonly machines: MachineCache;
  /** The receive side of the hot-fix gate: ModuleUpgrades from peers are verified here before they apply. */
  readonly upgrades: UpgradeGate;
  network: NetworkService | null = null;
  private closed = false;
  /** config.json as this process last read or wrote it (see config()). */
  private savedConfig: NodeConfig | undefined;
  private readonly rootOpener;

  private constructor(
    readonly paths: DataDirPaths,
    readonly key: NodeKey,
    private readonly lock: DataDirLock,
    readonly env: StorageEnv,
    readonly cas: ModuleCas,
    readonly runtime: ModuleRuntime,
    readonly manager: StoreManager,
    readonly options: NodeOptions,
  ) {
    this.machines = new MachineCache(runtime, cas);
    this.rootOpener = rootStoreOpener();
    this.upgrades = new UpgradeGate(this);
  }

  static async open(options: NodeOptions): Promise<Node> {
    const paths = requireInitialized(options.dataDir);
    const lock = await acquireLockWaiting(paths.dataDir, options.lockWaitMs ?? 0);
    let env: StorageEnv;
    let node: Node;
    try {
      env = openStorage(paths.lmdbDir);
    } catch (e) {
      lock.release();
      throw e;
    }
    try {
      const key = NodeKey.fromSeed(readNodeKeySeed(paths));
      const cas = new ModuleCas(lmdbCas(env));
      const runtime = createRuntime({ cas });
      const manager = new StoreManager({ env, nodeKey: key, ...(options.now ? { now: options.now } : {}) });
      node = new Node(paths, key, lock, env, cas, runtime, manager, options);
    } catch (e) {
      await env.close();
      lock.release();
      throw e;
    }
    try {
      await node.start();
      if (options.daemon || options.network || options.transport) {
        await startNetwork(node, { background: options.daemon === true, ...(options.relayUrl ? { relayUrl: options.relayUrl } : {}), ...(options.transport ? { transport: options.transport } : {}) });
      }
    } catch (e) {
      await node.close(); // releases everything it opened, the lock included
      throw e;
    }
    return node;
  }

  private async start(): Promise<void> {
    await loadShippedModules(this.cas);
    // Every module this node holds is loaded before any store opens: the kernel asks for machines synchronously.
    for (const cid of this.moduleCids()) await this.machines.load(cid).catch(() => undefined);
    this.manager.register(ROOT_STORE_TYPE, (ctx) => ({ ...this.rootOpener(ctx) as StoreEngine, authorize: authorizeIn(this, ctx.meta) }));
    for (const meta of this.manager.list()) {
      this.registerType(meta.storeType);
      await this.store(meta.storeId).catch(() => undefined); // a store that fails to open stays on disk, untouched
    }
    await this.upgrades.start();
  }

  /** CIDs of the modules in this node's CAS. */
  moduleCids(): Cid[] {
    const out: Cid[] = [];
    for (const { key } of this.env.tables.modules.getRange({ start: Buffer.from([0x6d]), end: Buffer.from([0x6e]) })) {
      const k = key as Uint8Array;
      if (k.length === 33) out.push(new Uint8Array(k.subarray(1)) as Cid);
    }
    return out;
  }

  /** Wasm store types share one engine shape: the module in force comes from each store's own history. */
  registerType(storeType: string): void {
    if (storeType === ROOT_STORE_TYPE) return;
    this.manager.register(storeType, (ctx) => ({
      machineFor: (cid, limits) => guardRevoked(this, ctx.meta, this.machines.get(cid, limits)),
      authorize: this.upgrades.authorize(ctx.meta, authorizeIn(this, ctx.meta)),
    }));
  }

  // --- config and meshes -----------------------------------------------------------------------------------------

  /**
   * The node's config.json (none yet, a node being made: no mesh; a damaged one: E_DATA_DIR_CORRUPT naming it), as a
   * copy to change and save. Read once: this process holds the data dir, so only saveConfig changes the file (peers'
   * requests ask it for the meshes on every request).
   */
  config(): NodeConfig {
    if (!this.savedConfig) {
      if (!existsSync(this.paths.configFile)) return { meshes: [] };
      this.savedConfig = readNodeConfigFile(this.paths) as unknown as NodeConfig;
    }
    return structuredClone(this.savedConfig);
  }

  saveConfig(c: NodeConfig): void {
    writeFileSync(this.paths.configFile, JSON.stringify(c, null, 2) + '\n');
    this.savedConfig = structuredClone(c);
  }

  rememberPeer(nodeId: NodeId, addrs: readonly string[]): void {
    if (addrs.length === 0) return;
    const c = this.config();
    c.peers = { ...(c.peers ?? {}), [toHex(nodeId)]: [...addrs].slice(0, 16) };
    this.saveConfig(c);
  }

  /** Where peers can reach this node: the running transport's addresses, else the configured port on loopback. */
  reachableAddrs(): string[] {
    const port = this.config().port;
    const out = new Set(this.network?.addrs() ?? []);
    if (port) out.add(`127.0.0.1:${port}`);
    return [...out].slice(0, 16);
  }

  addMesh(meshId: StoreId): void {
    const c = this.config();
    if (!c.meshes.some((m) => m.meshId === toHex(meshId))) c.meshes.push({ meshId: toHex(meshId), joinedAt: Date.now() });
    c.defaultMesh = toHex(meshId);
    this.saveConfig(c);
  }

  /** The mesh a command acts on: `--mesh`, else the mesh joined last, else the one init created. */
  meshId(mesh?: string): StoreId {
    const c = this.config();
    const want = mesh ?? c.defaultMesh;
    const found = c.meshes.find((m) => want !== undefined && m.meshId.startsWith(want.toLowerCase()));
    if (!found) throw new LatticeError('E_NO_MESH', want ? `this node is not in mesh ${want}` : 'this node is in no mesh: run lattice init or lattice peer join', { meshes: c.meshes.map((m) => m.meshId) });
    return fromHex(found.meshId, 16) as StoreId;
  }

  /** Creates a new mesh: its root store (whose genesis author is a member) with the shipped modules registered. */
  async createMesh(): Promise<string> {
    const root = await this.manager.create({ storeType: ROOT_STORE_TYPE, genesis: { cid: ZERO_CID } });
    for (const [storeType, cid] of Object.entries(shippedRegistry())) {
      const size = this.cas.hasModule(cid) ? this.cas.getModule(cid).length : 0;
      await root.submit(encodeSystemOp({ op: 'ModulePublish', storeType, cid, size }));
    }
    this.addMesh(root.meta.storeId);
    return toHex(root.meta.storeId);
  }

  async rootStore(meshId: StoreId): Promise<Store> {
    return this.manager.open(meshId);
  }

  /** The mesh's tables as its root store says (empty views while the root store is not here). */
  mesh(meshId: StoreId): MeshView {
    const root = this.manager.peek(meshId) ? this.openedStore(meshId) : undefined;
    const genesis = root?.info().genesis;
    const genesisSigned = genesis ? root!.getSigned(genesis) : undefined;
    return meshView(systemTable(this.env, meshId), genesisSigned ? (genesisSigned.subarray(0, 32) as NodeId) : undefined);
  }

  /** An open store, synchronously (stores are opened at start and when created). */
  openedStore(storeId: StoreId): Store | undefined {
    return this.opened.get(toHex(storeId));
  }

  private readonly opened = new Map<string, Store>();

  async store(storeId: StoreId): Promise<Store> {
    const s = await this.manager.open(storeId);
    if (!this.opened.has(toHex(storeId))) {
      this.opened.set(toHex(storeId), s);
      this.network?.attach(s);
    }
    return s;
  }

  // --- resolving store arguments ---------------------------------------------------------------------------------

  /** A store id, an unambiguous id prefix, or a store name. */
  resolveStore(arg: string): StoreMeta {
    const metas = this.manager.list();
    const a = arg.toLowerCase().replace(/-/g, '');
    const exact = metas.find((m) => toHex(m.storeId) === a);
    if (exact) return exact;
    const names = (m: StoreMeta): string[] => {
      const out = m.name ? [m.name] : [];
      const child = this.mesh(m.meshId).child(m.storeId);
      if (child && !child.removed) out.push(child.name);
      return out;
    };
    const byName = metas.filter((m) => names(m).includes(arg));
    const byPrefix = /^[0-9a-f]+$/.test(a) ? metas.filter((m) => toHex(m.storeId).startsWith(a)) : [];
    const found = byName.length > 0 ? byName : byPrefix;
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw new LatticeError('E_AMBIGUOUS_STORE', `${arg} matches ${found.length} stores: use a longer id`, { matches: found.map((m) => toHex(m.storeId)) });
    }
    throw new LatticeError('E_UNKNOWN_STORE', `no store ${arg} on this node`, { store: arg, stores: metas.filter((m) => m.storeType !== ROOT_STORE_TYPE).map((m) => ({ storeId: toHex(m.storeId), name: names(m)[0] })) });
  }

  private async resolve(arg: string): Promise<Store> {
    return this.store(this.resolveStore(arg).storeId);
  }

  // --- NodeApi: status and stores --------------------------------------------------------------------------------

  async status(): Promise<StatusInfo> {
    const c = this.config();
    const metas = this.manager.list();
    const self = toHex(this.key.publicKey);
    const peerSet = new Set<string>();
    const meshes = c.meshes.map((m) => {
      const peers = this.mesh(fromHex(m.meshId, 16) as StoreId).peers().filter((p) => p.nodeId !== self);
      for (const p of peers) peerSet.add(p.nodeId);
      return { meshId: m.meshId, rootStoreId: m.meshId, peers: peers.length };
    });
    return {
      nodeId: toHex(this.key.publicKey),
      dataDir: this.paths.dataDir,
      daemon: this.options.daemon === true,
      addrs: this.network?.addrs() ?? [],
      meshes,
      stores: metas.filter((m) => m.storeType !== ROOT_STORE_TYPE).length,
      peers: peerSet.size,
    };
  }

  async storeCreate(storeType: string, nameArg?: string | null, mesh?: string | null): Promise<{ storeId: string; storeType: string; cid: string; name?: string }> {
    const name = nameArg ?? undefined; // through the daemon an absent argument arrives as null
    if (storeType === ROOT_STORE_TYPE) throw new LatticeError('E_BAD_ARGUMENT', 'a root store is made by lattice init, not store create');
    const meshId = this.meshId(mesh ?? undefined);
    const view = this.mesh(meshId);
    const reg = view.module(storeType);
    if (!reg) {
      throw new LatticeError('E_UNKNOWN_STORE_TYPE', `no module is published for store type ${storeType} in this mesh`, { storeType, known: view.modules().map((m) => m.storeType) });
    }
    if (name !== undefined && (name.trim() === '' || name.length > MAX_STORE_NAME || /[\u0000-\u001f\u007f]/.test(name))) {
      throw new LatticeError('E_BAD_ARGUMENT', `a store name is 1 to ${MAX_STORE_NAME} characters, not blank, without control characters`, { name: name.slice(0, 64) });
    }
    if (name !== undefined && this.manager.list().some((m) => m.name === name || view.child(m.storeId)?.name === name)) {
      throw new LatticeError('E_STORE_EXISTS', `a store named ${name} already exists`, { name });
    }
    const cid = parseCid(reg.cid);
    await this.ensureModule(cid);
    this.registerType(storeType);
    const store = await this.manager.create({ storeType, meshId, ...(name !== undefined ? { name } : {}), genesis: { cid, limits: DEFAULT_LIMITS } });
    this.opened.set(toHex(store.meta.storeId), store);
    const root = await this.store(meshId);
    await root.submit(encodeSystemOp({ op: 'ChildAdd', storeId: store.meta.storeId, storeType, name: name ?? `${storeType}-${toHex(store.meta.storeId).slice(0, 8)}` }));
    this.network?.attach(store);
    return { storeId: toHex(store.meta.storeId), storeType, cid: cidToString(cid), ...(name !== undefined ? { name } : {}) };
  }

  /** Loads a module this node needs, fetching its bytes from a peer when they are not here. */
  async ensureModule(cid: Cid): Promise<void> {
    if (!this.cas.hasModule(cid)) {
      if (!this.network) throw new LatticeError('E_MODULE_NOT_FOUND', `module ${cidToString(cid)} is not on this node`, { cid: cidToString(cid) });
      await this.network.fetchModule(cid);
    }
    await this.machines.load(cid);
  }

  async storeList(mesh?: string | null): Promise<StoreSummary[]> {
    const only = mesh == null ? undefined : toHex(this.meshId(mesh));
    const out: StoreSummary[] = [];
    for (const meta of this.manager.list()) {
      if (meta.storeType === ROOT_STORE_TYPE || (only !== undefined && toHex(meta.meshId) !== only)) continue;
      const store = await this.store(meta.storeId).catch(() => undefined);
      if (store) out.push(storeSummary(store, this.mesh(meta.meshId).child(meta.storeId)?.name));
    }
    return out;
  }

  async storeInfo(arg: string): Promise<StoreInfo> {
    const store = await this.resolve(arg);
    const info = store.info();
    const name = this.mesh(store.meta.meshId).child(store.meta.storeId)?.name;
    const upgrades = this.upgrades.info(store.meta.storeId);
    const report = info.paused?.code === 'E_HOTFIX_DIVERGES' ? upgrades?.verdicts.filter((v) => !v.equivalent).at(-1)?.firstDivergence : undefined;
    return {
      ...storeSummary(store, name),
      heads: info.heads.map((h) => toHex(h.hash)),
      floating: info.floating,
      authors: info.heads.length,
      ...(info.paused ? { pausedError: { code: info.paused.code, message: info.paused.message, seq: info.paused.seq, ...(report ? { firstDivergence: report } : {}) } } : {}),
      ...(upgrades ? { upgrades } : {}),
    };
  }

  private describe(store: Store) {
    const info = store.info();
    if (info.genesis === null) {
      throw new LatticeError('E_STORE_PAUSED', `store ${toHex(store.meta.storeId)} has not received its genesis yet: it is still syncing`, { storeId: toHex(store.meta.storeId) });
    }
    return this.machines.get(info.cid, DEFAULT_LIMITS).describe();
  }

  async storeExec(arg: string, method: string, args: string[]): Promise<ExecResult> {
    const store = await this.resolve(arg);
    const call = callFromStrings(this.describe(store), 'command', method, args);
    const { intentions, output } = await store.command(call);
    const outcomes = intentions.map((s: SignedIntention) => {
      const seq = store.seqOf(s.hash);
      const entry = seq === undefined ? undefined : store.history({ from: seq, to: seq })[0];
      const h = entry ? historyEntry(entry) : undefined;
      return { hash: toHex(s.hash), seq: seq ?? null, result: h?.result ?? 'pending', code: h?.code ?? 0 };
    });
    const result: ExecResult = { intentions: intentions.map((s: SignedIntention) => toHex(s.hash)), result: outputToJson(output), outcomes };
    // A write the module refused is signed and witnessed (it stays in the history, on every node, as rejected), but
    // it did nothing: the caller learns that as an error with the rejection's code, not as a success.
    const rejected = outcomes.find((o) => o.result.startsWith('rejected'));
    if (rejected) {
      const name = rejectionName(rejected.code);
      throw new LatticeError(name ?? 'E_GUEST_REJECTED', `the store's module rejected the write (${rejected.result}): it is in the history as rejected and changed nothing`, { ...result });
    }
    return result;
  }

  async storeQuery(arg: string, method: string, args: string[]): Promise<{ result: unknown }> {
    const store = await this.resolve(arg);
    const call = callFromStrings(this.describe(store), 'query', method, args);
    return { result: outputToJson(store.query(call).output) };
  }

  async storeHistory(arg: string, opts: { from?: number; to?: number; author?: string }): Promise<HistoryEntry[]> {
    const store = await this.resolve(arg);
    const author = opts.author ? authorOf(store, opts.author) : undefined;
    if (author === null) return []; // nobody of that id wrote here
    return store
      .history({ ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}), ...(author ? { author } : {}), limit: 100_000 })
      .map(historyEntry);
  }

  async *storeWatch(arg: string, signal: AbortSignal): AsyncIterable<HistoryEntry> {
    const store = await this.resolve(arg);
    const queue: HistoryEntry[] = [];
    let wake: (() => void) | null = null;
    const off = store.onWitnessed((events) => {
      for (const e of events) queue.push(historyEntry(store.history({ from: e.seq, to: e.seq })[0]!));
      wake?.();
    });
    const onAbort = (): void => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        while (queue.length > 0) yield queue.shift()!;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    } finally {
      off();
      signal.removeEventListener('abort', onAbort);
    }
  }

  async storeVerify(arg: string): Promise<{ ok: boolean; records: number; intentions: number; stateHash: string }> {
    const report = (await this.resolve(arg)).verify();
    return { ok: true, records: report.records, intentions: report.intentions, stateHash: toHex(report.stateHash) };
  }

  async storeResume(arg: string): Promise<{ ok: boolean; paused?: unknown }> {
    const store = await this.resolve(arg);
    await this.ensureModule(store.info().cid).catch(() => undefined);
    const still = await store.resume();
    return still ? { ok: false, paused: still } : { ok: true };
  }

  async storeRebuild(arg: string): Promise<{ seq: number; stateHash: string; differences: number }> {
    const store = await this.resolve(arg);
    const r = await store.rebuild();
    return { seq: store.seq, stateHash: toHex(r.stateHash), differences: r.differences };
  }

  // --- modules ---------------------------------------------------------------------------------------------------

  async modulePublish(wasm: Uint8Array, storeType: string, mesh?: string): Promise<PublishResult> {
    const { publishModule } = await import('./publish.js');
    return publishModule(this, wasm, storeType, mesh);
  }

  async moduleList(mesh?: string): Promise<ModuleInfo[]> {
    return this.mesh(this.meshId(mesh)).modules().map(({ storeType, row }) => ({ cid: `b3:${row.cid}`, storeType, size: row.size }));
  }

  async moduleShow(cidText: string): Promise<ModuleInfo> {
    const cid = parseCid(cidText);
    if (!this.cas.hasModule(cid)) throw new LatticeError('E_MODULE_NOT_FOUND', `no module ${cidToString(cid)} on this node`, { cid: cidToString(cid) });
    const d = (await this.machines.load(cid)).describe();
    const types = this.config().meshes.flatMap((m) => this.mesh(fromHex(m.meshId, 16) as StoreId).modules().filter((x) => x.row.cid === toHex(cid)).map((x) => x.storeType));
    return { cid: cidToString(cid), size: this.cas.getModule(cid).length, ...(types[0] ? { storeType: types[0] } : {}), name: d.name, version: d.version, methods: [...d.methods] };
  }

  async moduleReplay(arg: string, wasm: Uint8Array): Promise<ReplayReport> {
    const store = await this.resolve(arg);
    // A check publishes nothing: the candidate is linted and compiled in a throwaway CAS, never stored here.
    const scratch = createRuntime({ cas: new ModuleCas(createMemoryCasTable()) });
    const { cid } = await scratch.publish(wasm, DEFAULT_LIMITS);
    return replayVerify(this, store, await scratch.load(cid, DEFAULT_LIMITS));
  }

  // --- peers and sync (networking lives in network.ts) -----------------------------------------------------------

  async peerInvite(opts: { expiresInSec?: number; mesh?: string }): Promise<{ token: string; expires: string }> {
    const { invite } = await import('./membership.js');
    return invite(this, opts);
  }

  async peerJoin(token: string): Promise<{ meshId: string; stores: number }> {
    const { join } = await import('./membership.js');
    return join(this, token);
  }

  async peerList(mesh?: string): Promise<{ nodeId: string; status: string; addrs?: string[]; connected: boolean }[]> {
    const view = this.mesh(this.meshId(mesh));
    return view.peers().map(({ nodeId, row }) => ({
      nodeId,
      status: view.status(nodeId),
      addrs: row.added?.addrs ?? [],
      connected: this.network?.isConnected(nodeId) ?? false,
      self: nodeId === toHex(this.key.publicKey),
    }));
  }

  async peerRevoke(nodeId: string, mesh?: string): Promise<{ ok: boolean }> {
    const { revoke } = await import('./membership.js');
    return revoke(this, nodeId, mesh);
  }

  async sync(arg?: string | null, mesh?: string | null): Promise<SyncSummary> {
    const only = mesh == null ? undefined : toHex(this.meshId(mesh));
    const stores = arg
      ? [await this.resolve(arg)]
      : only === undefined
        ? undefined
        : await Promise.all(this.manager.list().filter((m) => toHex(m.meshId) === only).map((m) => this.store(m.storeId)));
    return withNetwork(this, (net) => net.syncNow(stores));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.upgrades.close();
    await this.network?.close();
    await this.manager.close();
    await this.env.close();
    this.lock.release();
  }
}

/** The shipped store types and their committed CIDs (modules/cids.json). */
export function shippedRegistry(): Record<string, Cid> {
  return Object.fromEntries(Object.entries(shippedCids()).map(([t, c]) => [t, parseCid(c)]));
}

/** An author of `store` by node id or unambiguous id prefix (history prints 12 characters of it); null: none. */
function authorOf(store: Store, text: string): NodeId | null {
  const found = idsByPrefix(text, store.heads().map((h) => toHex(h.author)), '--author');
  if (found.length > 1) throw new LatticeError('E_BAD_ARGUMENT', `--author ${text} matches ${found.length} authors of this store: use a longer prefix`, { matches: found });
  return found[0] === undefined ? null : (fromHex(found[0], 32) as NodeId);
}
