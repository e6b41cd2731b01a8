// The daemon's client (DESIGN §8): a NodeApi that forwards every call over the data dir's Unix socket, so a CLI
// command runs the same code whether a daemon serves the data dir or the node is opened embedded.
import { connect, type Socket } from 'node:net';
import { LatticeError } from '../model/errors.js';
import type {
  ExecResult, HistoryEntry, ModuleInfo, NodeApi, PublishResult, ReplayReport, StatusInfo, StoreInfo, StoreSummary, SyncSummary,
} from './api.js';
import { encodeMessage, errorFromWire, MessageReader, type RpcCall, type RpcErrorBody, type RpcRequest } from './rpc.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/**
 * Connects to the daemon listening on `socketPath`. Resolves null when nothing listens there (no socket file, or a
 * stale one left by a killed daemon), so the caller can open the node embedded instead.
 */
export function connectDaemon(socketPath: string, opts: { timeoutMs?: number } = {}): Promise<DaemonClient | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new LatticeError('E_DAEMON', `the daemon at ${socketPath} did not accept a connection`, { socket: socketPath }));
    }, opts.timeoutMs ?? 2000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new DaemonClient(socket));
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') resolve(null);
      else reject(new LatticeError('E_DAEMON', `cannot connect to the daemon at ${socketPath}: ${e.message}`, { socket: socketPath, errno: e.code }));
    });
  });
}

// The items of one stream as they arrive. (host/net has a general AsyncQueue, but it loads the whole model, hashing
// included, and every CLI command loads this file: the CLI must start fast.)
class StreamQueue {
  private readonly items: unknown[] = [];
  private waiter: (() => void) | undefined;
  private finished = false;
  private failure: LatticeError | undefined;

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
  push(item: unknown): void {
    if (this.finished) return;
    this.items.push(item);
    this.wake();
  }
  end(): void {
    this.finished = true;
    this.wake();
  }
  fail(err: LatticeError): void {
    if (this.finished) return;
    this.failure = err;
    this.end();
  }
  /** The next item; `done` once ended and drained; throws the failure after the items queued before it. */
  async next(): Promise<{ done: true } | { done: false; item: unknown }> {
    for (;;) {
      if (this.items.length > 0) return { done: false, item: this.items.shift() };
      if (this.finished) {
        if (this.failure) throw this.failure;
        return { done: true };
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}

export class DaemonClient implements NodeApi {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<number, StreamQueue>();
  private readonly reader = new MessageReader();
  private closed: LatticeError | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const m of this.reader.push(chunk)) this.receive(m);
      } catch (e) {
        this.fail(e instanceof LatticeError ? e : new LatticeError('E_DAEMON', (e as Error).message));
        socket.destroy();
      }
    });
    socket.on('error', (e) => this.fail(new LatticeError('E_DAEMON', `the daemon connection failed: ${e.message}`)));
    socket.on('close', () => this.fail(new LatticeError('E_DAEMON', 'the daemon closed the connection')));
  }

  private receive(m: Record<string, unknown>): void {
    const id = m['id'] as number;
    const error = m['error'] as RpcErrorBody | undefined;
    const call = this.pending.get(id);
    if (call) {
      this.pending.delete(id);
      if (error) call.reject(errorFromWire(error));
      else call.resolve(m['result']);
      return;
    }
    const stream = this.streams.get(id);
    if (stream) {
      if ('item' in m) stream.push(m['item']);
      else if (error) stream.fail(errorFromWire(error));
      else if (m['end'] === true) stream.end();
      return;
    }
    // id 0 is the daemon refusing the connection as a whole (a bad frame).
    if (error) this.fail(errorFromWire(error));
  }

  private fail(err: LatticeError): void {
    if (this.closed) return;
    this.closed = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const s of this.streams.values()) s.fail(err);
    this.streams.clear();
  }

  private write(message: RpcRequest | { id: number; cancel: true }): void {
    if (this.closed) throw this.closed;
    this.socket.write(encodeMessage(message));
  }

  private call<T>(method: RpcCall, ...params: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.write({ id, method, params });
      } catch (e) {
        this.pending.delete(id);
        reject(e);
      }
    });
  }

  status(): Promise<StatusInfo> { return this.call('status'); }
  modulePublish(wasm: Uint8Array, storeType: string, mesh?: string): Promise<PublishResult> { return this.call('modulePublish', wasm, storeType, mesh); }
  moduleList(mesh?: string): Promise<ModuleInfo[]> { return this.call('moduleList', mesh); }
  moduleShow(cid: string): Promise<ModuleInfo> { return this.call('moduleShow', cid); }
  moduleReplay(store: string, wasm: Uint8Array): Promise<ReplayReport> { return this.call('moduleReplay', store, wasm); }
  storeCreate(storeType: string, name?: string, mesh?: string): Promise<{ storeId: string; storeType: string; cid: string; name?: string }> {
    return this.call('storeCreate', storeType, name, mesh);
  }
  storeList(mesh?: string): Promise<StoreSummary[]> { return this.call('storeList', mesh); }
  storeInfo(store: string): Promise<StoreInfo> { return this.call('storeInfo', store); }
  storeExec(store: string, method: string, args: string[]): Promise<ExecResult> { return this.call('storeExec', store, method, args); }
  storeQuery(store: string, method: string, args: string[]): Promise<{ result: unknown }> { return this.call('storeQuery', store, method, args); }
  storeHistory(store: string, opts: { from?: number; to?: number; author?: string }): Promise<HistoryEntry[]> {
    return this.call('storeHistory', store, opts);
  }
  storeVerify(store: string): Promise<{ ok: boolean; records: number; intentions?: number; stateHash?: string; error?: unknown }> { return this.call('storeVerify', store); }
  storeResume(store: string): Promise<{ ok: boolean }> { return this.call('storeResume', store); }
  storeRebuild(store: string): Promise<{ seq: number; stateHash: string }> { return this.call('storeRebuild', store); }
  peerInvite(opts: { expiresInSec?: number; mesh?: string }): Promise<{ token: string; expires: string }> { return this.call('peerInvite', opts); }
  peerJoin(token: string): Promise<{ meshId: string; stores: number }> { return this.call('peerJoin', token); }
  peerList(mesh?: string): Promise<{ nodeId: string; status: string; addrs?: string[]; connected: boolean }[]> { return this.call('peerList', mesh); }
  peerRevoke(nodeId: string, mesh?: string): Promise<{ ok: boolean }> { return this.call('peerRevoke', nodeId, mesh); }
  sync(store?: string, mesh?: string): Promise<SyncSummary> { return this.call('sync', store, mesh); }

  /** Entries as the daemon witnesses them; ends quietly when `signal` aborts (the daemon is told to stop). */
  async *storeWatch(store: string, signal: AbortSignal): AsyncIterable<HistoryEntry> {
    if (signal.aborted) return;
    const id = this.nextId++;
    const queue = new StreamQueue();
    this.streams.set(id, queue);
    this.write({ id, method: 'storeWatch', params: [store] });
    const cancel = (): void => {
      if (!this.streams.delete(id)) return;
      queue.end();
      if (!this.closed) this.write({ id, cancel: true });
    };
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const next = await queue.next();
        if (next.done) return;
        yield next.item as HistoryEntry;
      }
    } finally {
      signal.removeEventListener('abort', cancel);
      // A consumer that stops early (break) cancels the stream too.
      cancel();
    }
  }

  /** Closes this connection; the daemon and its node go on. Idempotent. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      // The daemon ends its side when ours ends; a daemon that does not is cut off after a moment.
      const timer = setTimeout(() => this.socket.destroy(), 500);
      timer.unref();
      this.socket.once('close', () => (clearTimeout(timer), resolve()));
      this.socket.end();
    });
  }
}
