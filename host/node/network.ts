// The node's network side (DESIGN §6, §7): one Transport, the SyncService over it, connections to the members of
// this node's meshes, push of local intentions (batched per peer and store), anti-entropy on connect (daemon), on
// a timer and on demand, discovery of child stores (a ChildAdd in the root store → a replica, cloned from a peer),
// module fetch, and the inviter's side of a join. Every request a peer makes is authorized against the named
// store's mesh when it is made; a revoke that lands closes the revoked node's connections.
import type { IngestReport, Store } from '../kernel/index.js';
import { asLatticeError, blake3, bytesEqual, cidToString, DEFAULT_LIMITS, fromHex, LatticeError, toHex, type Cid, type NodeId, type StoreId } from '../model/index.js';
import type { PeerFailure, SyncSummary } from './api.js';
import type { Connection, Transport } from '../net/transport.js';
import type { Join, JoinReply, RequestHeader, WireAttestation } from '../net/wire.js';
import { NegentropyTree } from '../sync/index.js';
import { reauthorizeRevoked } from './authorize.js';
import { logger } from './logger.js';
import { admitJoiner } from './membership.js';
import type { Node } from './node.js';
import { ROOT_STORE_TYPE } from './root-store.js';
import { SyncService, type SyncHost, type SyncIngest, type SyncStore } from './sync-service.js';

const log = logger('lattice:node:net');
const SYNC_INTERVAL_MS = 30_000;

/** Work per key that runs one at a time; a request while it runs schedules exactly one more run. */
class Coalescer {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  run(key: string, fn: () => Promise<void>): Promise<void> {
    const cur = this.running.get(key);
    if (cur) {
      this.again.add(key);
      return cur.then(() => this.running.get(key) ?? undefined);
    }
    const p = (async () => {
      try {
        do {
          this.again.delete(key);
          await fn().catch((e) => log.trace('%s: %s', key, (e as Error).message));
        } while (this.again.has(key));
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, p);
    return p;
  }

  idle(): Promise<void> {
    return Promise.all([...this.running.values()]).then(() => undefined);
  }
}

export class NetworkService implements SyncHost {
  readonly sync: SyncService;
  private readonly trees = new Map<string, NegentropyTree>();
  private readonly attached = new Set<string>();
  /** Members that closed a connection on this node saying it is revoked, and when (what sync reports). */
  private readonly closedOnUs = new Map<string, number>();
  /** Stores that held intentions for authorization (a revoked author's chain arriving before its tip): recheck. */
  private readonly holding = new Set<string>();
  private readonly offs: (() => void)[] = [];
  private readonly pushQueue = new Map<string, { conn: Connection; store: Store; items: Uint8Array[] }>();
  private readonly pushing = new Coalescer();
  private readonly rootWork = new Coalescer();
  private readonly discovery = new Map<string, Promise<number>>();
  /** (store, author head, revoke) triples already re-projected. */
  private readonly reprojected = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private background = false;
  private closed = false;

  constructor(
    private readonly node: Node,
    readonly transport: Transport,
  ) {
    this.sync = new SyncService(transport, this);
  }

  /** Starts serving, attaches every open store; a daemon (background) also connects, syncs, and syncs on a timer. */
  async start(options: { background?: boolean } = {}): Promise<void> {
    this.background = options.background === true;
    this.sync.start();
    for (const meta of this.node.manager.list()) this.attach(await this.node.store(meta.storeId));
    // What a root-store change triggers (rechecks, re-authorization) may not have run before the last stop (a crash
    // right after the commit): run it once per mesh now.
    for (const meta of this.node.manager.list()) if (meta.storeType === ROOT_STORE_TYPE) void this.rootChanged(meta.storeId).catch((e: unknown) => log.error('root store %s: %s', toHex(meta.storeId).slice(0, 8), (e as Error).message));
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
    if (this.attached.has(id) || this.closed) return;
    this.attached.add(id);
    this.offs.push(
      store.onWitnessed((events) => {
        const tree = this.trees.get(id);
        const local: Uint8Array[] = [];
        for (const e of events) {
          tree?.insert(e.signed.intention.timestamp.wallMs, e.hash);
          if (bytesEqual(e.signed.intention.author, this.node.key.publicKey)) local.push(concatSigned(e.signed.encoding, e.signed.signature));
        }
        if (local.length > 0) this.queuePush(store, local);
        if (store.meta.storeType === ROOT_STORE_TYPE) void this.rootChanged(store.meta.storeId);
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

  /** Ingests what a peer sent; rechecks intentions held for authorization once more of their chain is here. */
  async ingest(store: Store, signed: Uint8Array[]): Promise<IngestReport> {
    const report = await store.ingest(signed);
    const id = toHex(store.meta.storeId);
    if (report.held > 0) this.holding.add(id);
    if (this.holding.has(id) && report.witnessed + report.floated + report.held > 0) {
      await store.recheckHeld();
      // Nothing is held once a recheck releases nothing and nothing new was held.
      if (report.held === 0 && store.floatingCount() === 0) this.holding.delete(id);
    }
    return report;
  }

  private syncStore(store: Store): SyncStore {
    return {
      storeId: store.meta.storeId,
      meshId: store.meta.meshId,
      negentropyTree: () => this.tree(store),
      getSigned: (h) => store.getSigned(h),
      ingest: async (signed): Promise<SyncIngest> => {
        const r = await this.ingest(store, signed);
        return { missing: r.missing, witnessed: r.witnessed, rejected: r.rejected };
      },
      witnessedFrom: (from, max) => store.witnessedFrom(from, max),
      // Hot-fix attestations, exchanged after each sync (Wasm stores only: a root store takes no upgrades).
      ...(store.meta.storeType === ROOT_STORE_TYPE ? {} : {
        attestations: () => this.node.upgrades.verdicts.wire(store.meta.storeId),
        attest: async (items: WireAttestation[]) => void (await this.node.upgrades.verdicts.receive(store.meta.storeId, items)),
      }),
    };
  }

  /** Connections to active members of the mesh. */
  peersOf(meshId: StoreId): Connection[] {
    const view = this.node.mesh(meshId);
    return this.transport.connections().filter((c) => !c.isClosed && view.status(c.remoteNodeId) === 'active');
  }

  /** Local intentions go to every connected member of the store's mesh, one push stream per peer at a time. */
  private queuePush(store: Store, signed: Uint8Array[]): void {
    for (const conn of this.peersOf(store.meta.meshId)) {
      const key = `${toHex(conn.remoteNodeId)}/${toHex(store.meta.storeId)}`;
      const q = this.pushQueue.get(key);
      if (q && q.conn === conn) q.items.push(...signed);
      else this.pushQueue.set(key, { conn, store, items: [...signed] });
      void this.pushing.run(key, async () => {
        const batch = this.pushQueue.get(key);
        if (!batch || batch.items.length === 0) return;
        this.pushQueue.delete(key);
        if (batch.conn.isClosed) return;
        await this.sync.push(batch.conn, this.syncStore(batch.store), batch.items);
      });
    }
  }

  /** Resolves when every queued push has been delivered (or has failed). */
  pushesSettled(): Promise<void> {
    return this.pushing.idle();
  }

  /** A root store changed: recheck held intentions of its mesh, close revoked peers, fetch modules, discover children. */
  private rootChanged(meshId: StoreId): Promise<void> {
    return this.rootWork.run(toHex(meshId), async () => {
      if (this.closed) return;
      for (const meta of this.node.manager.list()) {
        if (bytesEqual(meta.meshId, meshId)) await (await this.node.store(meta.storeId)).recheckHeld();
      }
      this.closeRevoked(meshId);
      await this.reprojectRevoked(meshId);
      await this.ensureRegistryModules(meshId).catch((e) => log.trace('modules: %s', (e as Error).message));
      await this.discoverChildren(meshId);
    });
  }

  /**
   * A revoke that lands after this node witnessed intentions beyond the revoked author's last valid tip (they
   * arrived first): they are marked unauthorized and the store re-projects (authorize.ts reauthorizeRevoked), so its
   * log and state are the ones of a node that got the revoke first and witnessed them as rejected.
   */
  private async reprojectRevoked(meshId: StoreId): Promise<void> {
    await reauthorizeRevoked(this.node, meshId, this.reprojected);
  }

  /** Closes connections of peers revoked from `meshId` that are active in none of this node's meshes. */
  private closeRevoked(meshId: StoreId): void {
    const view = this.node.mesh(meshId);
    for (const c of this.transport.connections()) {
      if (!c.isClosed && view.status(c.remoteNodeId) === 'revoked' && !this.admits(c.remoteNodeId)) void c.close('revoked');
    }
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
      if (!bytesEqual(meta.meshId, meshId)) continue;
      const store = await this.node.store(meta.storeId);
      const paused = store.info().paused;
      if (paused?.code === 'E_MODULE_NOT_FOUND') await store.resume();
    }
  }

  /**
   * Opens a replica of every child store the root store lists that this node lacks, and clones it from a member.
   * One discovery per mesh at a time: a caller that comes while one runs waits for it and for one more pass.
   */
  discoverChildren(meshId: StoreId): Promise<number> {
    const key = toHex(meshId);
    const prev = this.discovery.get(key) ?? Promise.resolve(0);
    const next = prev.catch(() => 0).then(() => this.discoverOnce(meshId));
    this.discovery.set(key, next);
    void next.finally(() => {
      if (this.discovery.get(key) === next) this.discovery.delete(key);
    }).catch(() => undefined);
    return next;
  }

  private async discoverOnce(meshId: StoreId): Promise<number> {
    const view = this.node.mesh(meshId);
    let added = 0;
    for (const { storeId, row } of view.children()) {
      if (row.removed || this.closed) continue;
      const id = fromHex(storeId, 16) as StoreId;
      if (this.node.manager.peek(id)) continue;
      const reg = view.module(row.storeType);
      if (reg) await this.node.ensureModule(fromHex(reg.cid, 32) as Cid).catch((e) => log.trace('module for %s: %s', row.storeType, (e as Error).message));
      this.node.registerType(row.storeType);
      await this.node.manager.create({ storeId: id, storeType: row.storeType, meshId, name: row.name });
      const store = await this.node.store(id);
      this.attach(store);
      added++;
      for (const conn of this.peersOf(meshId)) {
        try {
          await this.cloneFrom(conn, store);
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
    void conn.closed.then((info) => {
      if (info.remote && /revoked/.test(info.reason)) this.closedOnUs.set(toHex(conn.remoteNodeId), Date.now());
    });
    return conn;
  }

  /** Connects to every active member of every mesh whose addresses are known. */
  async connectAll(): Promise<number> {
    const { connected } = await this.connectMembers();
    return connected;
  }

  /** Dials every member of this node's meshes with a known address that is not connected yet; says who failed. */
  private async connectMembers(): Promise<{ connected: number; failures: Map<string, PeerFailure> }> {
    const self = toHex(this.node.key.publicKey);
    const targets = new Map<string, string[]>();
    const config = this.node.config();
    for (const m of config.meshes) {
      for (const { nodeId, row } of this.node.mesh(fromHex(m.meshId, 16) as StoreId).peers()) {
        const addrs = [...new Set([...(row.added?.addrs ?? []), ...(config.peers?.[nodeId] ?? [])])];
        if (nodeId === self || addrs.length === 0 || row.revoked || this.isConnected(nodeId)) continue;
        targets.set(nodeId, addrs);
      }
    }
    const failures = new Map<string, PeerFailure>();
    let connected = 0;
    await Promise.all([...targets].map(async ([nodeId, addrs]) => {
      try {
        await this.connect(fromHex(nodeId, 32) as NodeId, addrs);
        connected++;
      } catch (e) {
        log.trace('connect %s failed: %s', nodeId.slice(0, 12), (e as Error).message);
        failures.set(nodeId, peerFailure(nodeId, e));
      }
    }));
    return { connected, failures };
  }

  /**
   * Anti-entropy now: every given store (default all) with every connected member of its mesh, root stores first
   * (they say who is a member and which children exist); children discovered on the way are synced too.
   */
  async syncNow(stores?: Store[]): Promise<SyncSummary> {
    const started = Date.now();
    const { failures } = await this.connectMembers();
    const peers = new Set<string>();
    let sent = 0;
    let received = 0;
    const done = new Set<string>();
    const one = async (store: Store): Promise<void> => {
      done.add(toHex(store.meta.storeId));
      await Promise.all(this.peersOf(store.meta.meshId).map(async (conn) => {
        try {
          const r = await this.sync.syncStore(conn, this.syncStore(store));
          sent += r.sent;
          received += r.received;
          peers.add(toHex(conn.remoteNodeId));
        } catch (e) {
          log.trace('sync of %s with %s failed: %s', toHex(store.meta.storeId).slice(0, 8), toHex(conn.remoteNodeId).slice(0, 8), (e as Error).message);
          failures.set(toHex(conn.remoteNodeId), peerFailure(toHex(conn.remoteNodeId), e));
        }
      }));
    };
    const chosen = stores ?? (await Promise.all(this.node.manager.list().map((m) => this.node.store(m.storeId))));
    const roots = chosen.filter((s) => s.meta.storeType === ROOT_STORE_TYPE);
    for (const root of roots) {
      await one(root);
      await this.rootChanged(root.meta.storeId);
    }
    for (const store of chosen) if (!done.has(toHex(store.meta.storeId))) await one(store);
    if (!stores) {
      // Stores discovered while the roots synced.
      for (const meta of this.node.manager.list()) if (!done.has(toHex(meta.storeId))) await one(await this.node.store(meta.storeId));
    }
    // A member that closed on us because this node is revoked drops out of peersOf() before any session fails:
    // say so, rather than leave it out of `unreachable` (a revoked node would read "some peers offline").
    for (const [id, at] of this.closedOnUs) {
      if (at >= started && !peers.has(id)) failures.set(id, revokedBy(id));
    }
    for (const p of peers) failures.delete(p); // synced at least one store with it
    return { peers: peers.size, sent, received, unreachable: [...failures.values()] };
  }

  /** Bootstrap clone of one store from a peer (witness order, large batches). */
  async cloneFrom(conn: Connection, store: Store, onProgress?: (n: number) => void): Promise<number> {
    return this.sync.cloneStore(conn, this.syncStore(store), 1, onProgress);
  }

  async fetchModule(cid: Cid): Promise<void> {
    for (const conn of this.transport.connections().filter((c) => !c.isClosed)) {
      let bytes: Uint8Array;
      try {
        bytes = await this.sync.fetchModule(conn, cid);
        if (!bytesEqual(blake3(bytes), cid)) throw new LatticeError('E_CID_MISMATCH', 'a peer sent module bytes that do not match the CID');
      } catch (e) {
        log.trace('module fetch failed: %s', (e as Error).message);
        continue;
      }
      // The same admission as a local publish (lint, instrument, describe() once): a member that registered a module
      // no node could use does not get it into this node's CAS. Every peer has the same bytes, so a refusal is final.
      await this.node.runtime.publish(bytes, DEFAULT_LIMITS);
      return;
    }
    throw new LatticeError('E_MODULE_NOT_FOUND', `no connected peer has module ${cidToString(cid)}`, { cid: cidToString(cid) });
  }

  // --- SyncHost: what peers may ask ------------------------------------------------------------------------------

  private activeSomewhere(remote: NodeId): boolean {
    return this.node.config().meshes.some((m) => this.node.mesh(fromHex(m.meshId, 16) as StoreId).status(remote) === 'active');
  }

  /** A daemon syncs every store it shares with a peer as soon as a connection to it is up (DESIGN §7). */
  connected(conn: Connection): void {
    if (!this.background || this.closed) return;
    void (async () => {
      const metas = this.node.manager.list().sort((a, b) => Number(b.storeType === ROOT_STORE_TYPE) - Number(a.storeType === ROOT_STORE_TYPE));
      for (const meta of metas) {
        if (conn.isClosed || this.closed) return;
        if (this.node.mesh(meta.meshId).status(conn.remoteNodeId) !== 'active') continue;
        const store = await this.node.store(meta.storeId);
        await this.sync.syncStore(conn, this.syncStore(store)).catch((e) => log.trace('sync on connect: %s', (e as Error).message));
        if (meta.storeType === ROOT_STORE_TYPE) await this.rootChanged(meta.storeId);
      }
    })();
  }

  admits(remote: NodeId): boolean {
    const meshes = this.node.config().meshes.map((m) => this.node.mesh(fromHex(m.meshId, 16) as StoreId).status(remote));
    return !meshes.includes('revoked') || meshes.includes('active');
  }

  authorize(remote: NodeId, header: RequestHeader): void {
    if (!this.admits(remote)) {
      for (const c of this.transport.connections()) if (bytesEqual(c.remoteNodeId, remote)) void c.close('revoked');
      throw new LatticeError('E_UNAUTHORIZED', 'the peer is revoked from this mesh');
    }
    if (header.kind === 'join') return;
    if (header.kind === 'ping' || header.kind === 'module') {
      if (!this.activeSomewhere(remote)) throw new LatticeError('E_UNAUTHORIZED', 'only members of a mesh of this node may ask this');
      return;
    }
    if (!header.storeId || !header.meshId) throw new LatticeError('E_BAD_FRAME', 'a store request names its store and mesh');
    const meta = this.node.manager.peek(header.storeId);
    // A store id bound to one mesh is refused in another (DESIGN §6), so a node in two meshes never serves a store
    // of one to a member of the other. A store not here yet is judged by the mesh named (the handler answers).
    if (meta && !bytesEqual(meta.meshId, header.meshId)) throw new LatticeError('E_UNAUTHORIZED', 'that store is not in that mesh');
    // A push of a store this node does not hold yet, or of a mesh whose root it is still cloning (a joiner), is not
    // charged to the pusher, which could not know: the handler answers E_UNKNOWN_STORE, or the kernel holds what
    // it cannot authorize yet.
    if (header.kind === 'push' && (!meta || this.node.openedStore(header.meshId)?.info().genesis == null)) return;
    if (!this.node.config().meshes.some((m) => m.meshId === toHex(header.meshId!))) throw new LatticeError('E_NOT_A_MEMBER', 'this node is not in that mesh');
    const status = this.node.mesh(header.meshId).status(remote);
    if (status !== 'active') throw new LatticeError('E_UNAUTHORIZED', `the peer is ${status === 'revoked' ? 'revoked from' : 'not a member of'} this mesh`);
  }

  store(storeId: StoreId): SyncStore | undefined {
    const s = this.node.openedStore(storeId);
    return s ? this.syncStore(s) : undefined;
  }

  async join(remote: NodeId, join: Join): Promise<JoinReply> {
    return admitJoiner(this.node, remote, join, []);
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
    await this.rootWork.idle();
    await Promise.all([...this.discovery.values()].map((p) => p.catch(() => 0)));
    await this.pushing.idle();
  }
}

function concatSigned(encoding: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(encoding.length + signature.length);
  out.set(encoding, 0);
  out.set(signature, encoding.length);
  return out;
}

/** A failed dial or session as `lattice sync` reports it; a peer that closed on us because we are revoked says so. */
function peerFailure(nodeId: string, e: unknown): PeerFailure {
  const err = asLatticeError(e, 'E_PEER_UNREACHABLE');
  if (/closed by peer: revoked/.test(err.message)) return revokedBy(nodeId);
  return { nodeId, code: err.code, message: err.message };
}

const revokedBy = (nodeId: string): PeerFailure => ({ nodeId, code: 'E_UNAUTHORIZED', message: 'the peer closed the connection: this node is revoked from the mesh' });
