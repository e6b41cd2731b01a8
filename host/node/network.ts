// The node's network side (DESIGN §6, §7): one Transport, the SyncService over it, connections to the members of
// this node's meshes, push of local intentions, anti-entropy on connect, on a timer and on demand, discovery of
// child stores (a ChildAdd in the root store → a replica, cloned from a peer), module fetch, and the inviter's side
// of a join. Every request a peer makes is authorized against the named store's mesh when it is made.
import type { Store } from '../kernel/index.js';
import { blake3, bytesEqual, cidToString, fromHex, LatticeError, toHex, type Cid, type Hash, type NodeId, type StoreId } from '../model/index.js';
import type { Connection, Transport } from '../net/transport.js';
import type { Join, JoinReply, RequestHeader } from '../net/wire.js';
import { NegentropyTree } from '../sync/index.js';
import { logger } from './logger.js';
import { admitJoiner } from './membership.js';
import type { Node } from './node.js';
import { ROOT_STORE_TYPE } from './root-store.js';
import { SyncService, type SyncHost, type SyncStore } from './sync-service.js';

const log = logger('lattice:node:net');
const SYNC_INTERVAL_MS = 30_000;

export class NetworkService implements SyncHost {
  readonly sync: SyncService;
  private readonly trees = new Map<string, NegentropyTree>();
  private readonly attached = new Set<string>();
  private readonly offs: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly node: Node,
    readonly transport: Transport,
  ) {
    this.sync = new SyncService(transport, this);
  }

  /** Starts serving, attaches every open store, connects to known peers and syncs. */
  async start(options: { background?: boolean } = {}): Promise<void> {
    this.sync.start();
    for (const meta of this.node.manager.list()) this.attach(await this.node.store(meta.storeId));
    if (options.background) {
      void this.connectAll().then(() => this.syncNow()).catch((e) => log.trace('initial sync: %s', (e as Error).message));
      this.timer = setInterval(() => void this.syncNow().catch(() => undefined), SYNC_INTERVAL_MS);
      this.timer.unref();
    }
  }

  addrs(): string[] {
    return this.transport.addrs();
  }

  isConnected(nodeIdHex: string): boolean {
    return this.transport.connections().some((c) => !c.isClosed && toHex(c.remoteNodeId) === nodeIdHex);
  }

  // --- stores ----------------------------------------------------------------------------------------------------

  /** Keeps the store's reconciliation index current and pushes its local intentions to peers. */
  attach(store: Store): void {
    const id = toHex(store.meta.storeId);
    if (this.attached.has(id)) return;
    this.attached.add(id);
    this.offs.push(
      store.onWitnessed((events) => {
        const tree = this.trees.get(id);
        const local: Uint8Array[] = [];
        for (const e of events) {
          tree?.insert(e.signed.intention.timestamp.wallMs, e.hash);
          if (bytesEqual(e.signed.intention.author, this.node.key.publicKey)) local.push(concatSigned(e.signed.encoding, e.signed.signature));
        }
        if (local.length > 0) void this.pushTo(store, local);
        if (store.meta.storeType === ROOT_STORE_TYPE) void this.onRootChanged(store);
      }),
    );
  }

  private tree(store: Store): NegentropyTree {
    const id = toHex(store.meta.storeId);
    let tree = this.trees.get(id);
    if (!tree) {
      tree = new NegentropyTree();
      for (const item of store.syncItems()) tree.insert(item.wallMs, item.hash);
      tree.seal();
      this.trees.set(id, tree);
    }
    return tree;
  }

  private syncStore(store: Store): SyncStore {
    return {
      storeId: store.meta.storeId,
      meshId: store.meta.meshId,
      negentropyTree: () => this.tree(store),
      getSigned: (h) => store.getSigned(h),
      ingest: async (signed) => {
        const report = await store.ingest(signed);
        return { missing: report.missing };
      },
      witnessedFrom: (from, max) => store.witnessedFrom(from, max),
    };
  }

  private peersOf(meshId: StoreId): Connection[] {
    const view = this.node.mesh(meshId);
    return this.transport.connections().filter((c) => !c.isClosed && view.status(c.remoteNodeId) === 'active');
  }

  private async pushTo(store: Store, signed: Uint8Array[]): Promise<void> {
    for (const conn of this.peersOf(store.meta.meshId)) {
      await this.sync.push(conn, this.syncStore(store), signed).catch((e) => log.trace('push failed: %s', (e as Error).message));
    }
  }

  /** A root store changed: recheck held intentions of its mesh, discover new children, fetch new modules. */
  private async onRootChanged(root: Store): Promise<void> {
    const meshId = root.meta.storeId;
    for (const meta of this.node.manager.list()) {
      if (toHex(meta.meshId) === toHex(meshId)) await (await this.node.store(meta.storeId)).recheckHeld();
    }
    await this.ensureRegistryModules(meshId).catch((e) => log.trace('modules: %s', (e as Error).message));
    await this.discoverChildren(meshId).catch((e) => log.trace('discover: %s', (e as Error).message));
  }

  /**
   * Fetches and loads every module the mesh's registry names that this node lacks, then resumes the mesh's stores
   * that paused for want of one (a ModuleUpgrade can arrive before the registry entry that names its module).
   */
  async ensureRegistryModules(meshId: StoreId): Promise<void> {
    for (const { row } of this.node.mesh(meshId).modules()) {
      const cid = fromHex(row.cid, 32) as Cid;
      if (!this.node.machines.has(cid)) await this.node.ensureModule(cid).catch((e) => log.trace('module %s: %s', row.cid.slice(0, 12), (e as Error).message));
    }
    for (const meta of this.node.manager.list()) {
      if (toHex(meta.meshId) !== toHex(meshId)) continue;
      const store = await this.node.store(meta.storeId);
      const paused = store.info().paused;
      if (paused?.code === 'E_MODULE_NOT_FOUND') await store.resume();
    }
  }

  /** Opens a replica of every child store the root store lists that this node lacks, and clones it. */
  async discoverChildren(meshId: StoreId): Promise<number> {
    const view = this.node.mesh(meshId);
    let added = 0;
    for (const { storeId, row } of view.children()) {
      if (row.removed) continue;
      const id = fromHex(storeId, 16) as StoreId;
      if (this.node.manager.peek(id)) continue;
      const reg = view.module(row.storeType);
      if (reg) await this.node.ensureModule(fromHex(reg.cid, 32) as Cid).catch(() => undefined);
      this.node.registerType(row.storeType);
      const store = await this.node.manager.create({ storeId: id, storeType: row.storeType, meshId, name: row.name });
      this.attach(await this.node.store(id));
      added++;
      for (const conn of this.peersOf(meshId)) {
        try {
          await this.sync.cloneStore(conn, this.syncStore(store));
          break;
        } catch (e) {
          log.trace('clone from a peer failed: %s', (e as Error).message);
        }
      }
    }
    return added;
  }

  // --- connections and anti-entropy ------------------------------------------------------------------------------

  async connect(nodeId: NodeId, addrs: readonly string[]): Promise<Connection> {
    const existing = this.transport.connections().find((c) => !c.isClosed && bytesEqual(c.remoteNodeId, nodeId));
    if (existing) return existing;
    const conn = await this.transport.connect(nodeId, addrs);
    this.sync.serveConnection(conn);
    return conn;
  }

  /** Connects to every member of every mesh whose addresses are known. */
  async connectAll(): Promise<number> {
    let n = 0;
    const self = toHex(this.node.key.publicKey);
    for (const m of this.node.config().meshes) {
      for (const { nodeId, row } of this.node.mesh(fromHex(m.meshId, 16) as StoreId).peers()) {
        const addrs = [...(row.added?.addrs ?? []), ...(this.node.config().peers?.[nodeId] ?? [])];
        if (nodeId === self || addrs.length === 0 || row.revoked || this.isConnected(nodeId)) continue;
        try {
          await this.connect(fromHex(nodeId, 32) as NodeId, addrs);
          n++;
        } catch (e) {
          log.trace('connect %s failed: %s', nodeId.slice(0, 12), (e as Error).message);
        }
      }
    }
    return n;
  }

  /** Anti-entropy now: every given store (default all) with every connected member of its mesh. */
  async syncNow(stores?: Store[]): Promise<{ peers: number; sent: number; received: number }> {
    await this.connectAll();
    const all = stores ?? (await Promise.all(this.node.manager.list().map((m) => this.node.store(m.storeId))));
    // Root stores first: they say who is a member and which children exist.
    all.sort((a, b) => Number(b.meta.storeType === ROOT_STORE_TYPE) - Number(a.meta.storeType === ROOT_STORE_TYPE));
    const peers = new Set<string>();
    let sent = 0;
    let received = 0;
    for (const store of all) {
      for (const conn of this.peersOf(store.meta.meshId)) {
        try {
          const r = await this.sync.syncStore(conn, this.syncStore(store));
          sent += r.sent;
          received += r.received;
          peers.add(toHex(conn.remoteNodeId));
        } catch (e) {
          log.trace('sync failed: %s', (e as Error).message);
        }
      }
      if (store.meta.storeType === ROOT_STORE_TYPE) {
        await this.ensureRegistryModules(store.meta.storeId);
        await this.discoverChildren(store.meta.storeId);
      }
    }
    return { peers: peers.size, sent, received };
  }

  /** Bootstrap clone of one store from a peer (witness order, large batches). */
  async cloneFrom(conn: Connection, store: Store): Promise<number> {
    return this.sync.cloneStore(conn, this.syncStore(store));
  }

  async fetchModule(cid: Cid): Promise<void> {
    for (const conn of this.transport.connections().filter((c) => !c.isClosed)) {
      try {
        const bytes = await this.sync.fetchModule(conn, cid);
        if (!bytesEqual(blake3(bytes), cid)) throw new LatticeError('E_CID_MISMATCH', 'a peer sent module bytes that do not match the CID');
        await this.node.cas.putModule(bytes);
        return;
      } catch (e) {
        log.trace('module fetch failed: %s', (e as Error).message);
      }
    }
    throw new LatticeError('E_MODULE_NOT_FOUND', `no connected peer has module ${cidToString(cid)}`, { cid: cidToString(cid) });
  }

  // --- SyncHost: what peers may ask ------------------------------------------------------------------------------

  authorize(remote: NodeId, header: RequestHeader): void {
    if (header.kind === 'join' || header.kind === 'ping') return;
    if (header.kind === 'module') {
      if (!this.node.config().meshes.some((m) => this.node.mesh(fromHex(m.meshId, 16) as StoreId).status(remote) === 'active')) {
        throw new LatticeError('E_UNAUTHORIZED', 'only members of a mesh of this node may fetch modules');
      }
      return;
    }
    if (!header.storeId || !header.meshId) throw new LatticeError('E_BAD_FRAME', 'a store request names its store and mesh');
    const meta = this.node.manager.peek(header.storeId);
    if (!meta) throw new LatticeError('E_UNKNOWN_STORE', 'no such store here');
    // A store id bound to one mesh is refused in another (DESIGN §6).
    if (!bytesEqual(meta.meshId, header.meshId)) throw new LatticeError('E_UNAUTHORIZED', 'that store is not in that mesh');
    const status = this.node.mesh(meta.meshId).status(remote);
    if (status !== 'active') throw new LatticeError('E_UNAUTHORIZED', `the peer is ${status === 'revoked' ? 'revoked from' : 'not a member of'} this mesh`);
  }

  store(storeId: StoreId): SyncStore | undefined {
    const s = this.node.openedStore(storeId);
    return s ? this.syncStore(s) : undefined;
  }

  async join(remote: NodeId, join: Join): Promise<JoinReply> {
    return admitJoiner(this.node, remote, join, this.remoteAddrs(remote));
  }

  private remoteAddrs(_remote: NodeId): string[] {
    return [];
  }

  moduleBytes(cid: Cid): Uint8Array | undefined {
    return this.node.cas.hasModule(cid) ? this.node.cas.getModule(cid) : undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const off of this.offs) off();
    await this.sync.close();
    await this.transport.close();
  }
}

function concatSigned(encoding: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(encoding.length + signature.length);
  out.set(encoding, 0);
  out.set(signature, encoding.length);
  return out;
}

export type { Hash };
