// ChannelTransport: the in-memory Transport for multi-node tests and the simulator. Connections and streams
// behave like Iroh's (authenticated ids, lazy stream announce, reliable ordered streams, resets, close seen by
// the peer) over a ChannelNetwork that injects latency, jitter, lost connects and partitions. Bytes go through
// the same frame codec as Iroh, so hostile bytes can be tested here too.
import { setTimeout as sleep } from 'node:timers/promises';
import { bytesEqual, LatticeError, toHex, type NodeId } from '../model/index.js';
import { abortError, AsyncQueue } from './async-queue.js';
import { Lane, type ChannelEndpoint, type ChannelNetwork } from './channel-network.js';
import { FramedStream, type StreamHooks, type StreamIo } from './frame-stream.js';
import { logger } from './log.js';
import { PeerScores } from './peer-score.js';
import { STREAM_RESET, type CloseInfo, type Connection, type FrameStream, type Transport } from './transport.js';

export interface ChannelTransportComponents {
  /** The node's identity (a NodeKey or anything with its public key). */
  key: { readonly publicKey: NodeId };
  network: ChannelNetwork;
  /** Shared with the node; the transport creates its own when absent. */
  scores?: PeerScores;
}

export interface ChannelTransportInit {
  /** How long a connect to an unknown, partitioned or lost peer waits before E_PEER_UNREACHABLE. */
  connectTimeoutMs?: number;
}

const closedError = (what: string): LatticeError => new LatticeError('E_CLOSED', `the ${what} is closed`);

/** One direction-pair of a stream: reads from `inbox`, writes into the peer's inbox through `lane`. */
class ChannelStreamIo implements StreamIo {
  readonly inbox = new AsyncQueue<Uint8Array>();
  peer!: ChannelStreamIo;
  private resetByPeer: LatticeError | undefined;
  private done = false;

  constructor(
    private readonly conn: ChannelConnection,
    private readonly lane: Lane,
    private readonly announce: () => void,
    /** The accepting side's half exists because the opener already announced the stream. */
    private announced = false,
  ) {}

  write(bytes: Uint8Array): Promise<void> {
    if (this.resetByPeer) return Promise.reject(this.resetByPeer);
    if (this.conn.isClosed) return Promise.reject(closedError('connection'));
    const copy = new Uint8Array(bytes);
    this.conn.network.stats.frames++;
    this.conn.network.stats.bytes += copy.length;
    const first = !this.announced;
    this.announced = true;
    this.lane.schedule(() => {
      if (first) this.announce();
      this.peer.inbox.push(copy);
    });
    return Promise.resolve();
  }

  read(): Promise<Uint8Array | null> {
    return this.inbox.shift().then((c) => c ?? null);
  }

  finish(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.done = true;
    if (this.announced) this.lane.schedule(() => this.peer.inbox.end(), 0);
    return Promise.resolve();
  }

  reset(code: number): void {
    this.inbox.fail(closedError('stream'));
    if (this.done) return;
    this.done = true;
    if (!this.announced) return;
    const err = new LatticeError('E_STREAM_RESET', `the peer reset the stream (code ${code})`, { code });
    this.lane.schedule(() => {
      this.peer.resetByPeer = err;
      this.peer.inbox.fail(err);
    }, 0);
  }

  /** The connection closed: pending reads fail. */
  abort(err: LatticeError): void {
    this.inbox.fail(err);
  }
}

class ChannelConnection implements Connection {
  peer!: ChannelConnection;
  readonly closed: Promise<CloseInfo>;
  private resolveClosed!: (info: CloseInfo) => void;
  private closedFlag = false;
  private readonly accepted = new AsyncQueue<FrameStream>();
  private readonly streams = new Map<FramedStream, { io: ChannelStreamIo; lane: Lane }>();
  private nextId = 0;
  private readonly hooks: StreamHooks;

  constructor(
    private readonly transport: ChannelTransport,
    readonly remoteNodeId: NodeId,
    readonly direction: 'inbound' | 'outbound',
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.hooks = {
      offense: (peer, offense, err) => transport.scores.penalize(peer, offense, err.message),
      released: (s) => {
        const entry = this.streams.get(s);
        this.streams.delete(s);
        // Let queued deliveries (the frames before a finish or reset) drain before the lane is dropped.
        if (entry && this.closedFlag) entry.lane.clear();
      },
    };
  }

  get network(): ChannelNetwork {
    return this.transport.network;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  openStream(signal?: AbortSignal): Promise<FrameStream> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.closedFlag) return Promise.reject(closedError('connection'));
    const n = this.nextId++;
    const laneOut = new Lane(() => this.network.frameDelay());
    const laneBack = new Lane(() => this.network.frameDelay());
    let theirs: FramedStream | undefined;
    const mine = new ChannelStreamIo(this, laneOut, () => {
      if (theirs && !this.peer.isClosed) this.peer.incomingStream(theirs, remoteIo, laneBack);
    });
    const remoteIo = new ChannelStreamIo(this.peer, laneBack, () => undefined, true);
    mine.peer = remoteIo;
    remoteIo.peer = mine;
    theirs = new FramedStream(`r${n}`, this.transport.nodeId, remoteIo, this.peer.hooks);
    const stream = new FramedStream(`l${n}`, this.remoteNodeId, mine, this.hooks);
    this.streams.set(stream, { io: mine, lane: laneOut });
    return Promise.resolve(stream);
  }

  acceptStream(signal?: AbortSignal): Promise<FrameStream> {
    return this.accepted.shift(signal).then((s) => {
      if (!s) throw closedError('connection');
      return s;
    });
  }

  close(reason = 'closed'): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    this.terminate(reason, false);
    const peer = this.peer;
    // A QUIC CONNECTION_CLOSE is sent at once; deliver it without the frame latency so no timer outlives us.
    queueMicrotask(() => peer.terminate(reason, true));
    return Promise.resolve();
  }

  /** Marks the connection closed on this side and fails everything pending. */
  terminate(reason: string, remote: boolean): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    const err = new LatticeError('E_CLOSED', `the connection is closed: ${reason}`, { reason, remote });
    this.accepted.drain((s) => (s as FramedStream).fail(err));
    this.accepted.fail(err);
    for (const [s, { io, lane }] of [...this.streams]) {
      lane.clear();
      io.abort(err);
      s.fail(err);
    }
    this.streams.clear();
    this.transport.forget(this);
    this.resolveClosed({ remote, reason });
  }

  incomingStream(stream: FramedStream, io: ChannelStreamIo, lane: Lane): void {
    if (this.closedFlag) return;
    if (!this.transport.scores.allowRequest(this.remoteNodeId)) {
      io.reset(STREAM_RESET.rateLimited);
      return;
    }
    this.streams.set(stream, { io, lane });
    this.accepted.push(stream);
  }
}

export class ChannelTransport implements Transport, ChannelEndpoint {
  readonly nodeId: NodeId;
  readonly network: ChannelNetwork;
  readonly scores: PeerScores;
  private readonly connectTimeoutMs: number;
  private readonly incomingQueue = new AsyncQueue<Connection>();
  private readonly conns = new Set<ChannelConnection>();
  private readonly closing = new AbortController();
  private readonly offBan: () => void;
  private readonly log;
  private closedFlag = false;

  constructor(components: ChannelTransportComponents, init: ChannelTransportInit = {}) {
    this.nodeId = components.key.publicKey;
    this.network = components.network;
    this.scores = components.scores ?? new PeerScores();
    this.connectTimeoutMs = init.connectTimeoutMs ?? 2000;
    this.log = logger(`lattice:net:channel:${toHex(this.nodeId).slice(0, 8)}`);
    this.offBan = this.scores.onBan((peer) => {
      for (const c of [...this.conns]) if (bytesEqual(c.remoteNodeId, peer)) void c.close('peer banned');
    });
    this.network.register(this);
  }

  addrs(): string[] {
    return [`channel:${toHex(this.nodeId)}`];
  }

  connections(): Connection[] {
    return [...this.conns];
  }

  async connect(nodeId: NodeId, _addrs?: readonly string[], signal?: AbortSignal): Promise<Connection> {
    if (signal?.aborted) throw abortError(signal);
    if (this.closedFlag) throw closedError('transport');
    if (this.scores.isBanned(nodeId)) throw new LatticeError('E_BANNED', `peer ${toHex(nodeId).slice(0, 12)} is banned`);
    const both = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    const wait = (ms: number): Promise<void> =>
      sleep(ms, undefined, { signal: both }).catch(() => {
        throw signal?.aborted ? abortError(signal) : closedError('transport');
      });
    const target = this.network.lookup(nodeId);
    const lost = this.network.loseConnect();
    if (!(target instanceof ChannelTransport) || bytesEqual(nodeId, this.nodeId) || !this.network.reachable(this.nodeId, nodeId) || lost) {
      await wait(this.connectTimeoutMs);
      throw new LatticeError('E_PEER_UNREACHABLE', `no answer from ${toHex(nodeId).slice(0, 12)} within ${this.connectTimeoutMs} ms`, { nodeId: toHex(nodeId) });
    }
    await wait(this.network.latencyMs);
    // Both ends exist (and are linked) from the moment the peer accepts; ours is handed out one latency later.
    const mine = new ChannelConnection(this, nodeId, 'outbound');
    const theirs = target.accept(this.nodeId, mine);
    if (!theirs) {
      await wait(this.network.latencyMs);
      throw new LatticeError('E_PEER_UNREACHABLE', `${toHex(nodeId).slice(0, 12)} refused the connection`, { nodeId: toHex(nodeId), refused: true });
    }
    mine.peer = theirs;
    this.conns.add(mine);
    try {
      await wait(this.network.latencyMs);
    } catch (e) {
      await mine.close('connect aborted');
      throw e;
    }
    if (mine.isClosed) {
      const { remote, reason } = await mine.closed; // the peer's reason ("revoked") tells the caller why
      throw new LatticeError('E_PEER_UNREACHABLE', `${toHex(nodeId).slice(0, 12)} closed the connection during the handshake${remote && reason ? `: closed by peer: ${reason}` : ''}`, { nodeId: toHex(nodeId) });
    }
    this.network.stats.connections++;
    this.log('connected to', toHex(nodeId).slice(0, 12));
    return mine;
  }

  /** A peer's connect reached us: the inbound side, or undefined when refused (closed, or the peer is banned). */
  accept(from: NodeId, peer: ChannelConnection): ChannelConnection | undefined {
    if (this.closedFlag || this.scores.isBanned(from)) return undefined;
    const conn = new ChannelConnection(this, from, 'inbound');
    conn.peer = peer;
    this.conns.add(conn);
    this.incomingQueue.push(conn);
    return conn;
  }

  incoming(signal?: AbortSignal): AsyncIterable<Connection> {
    return this.incomingQueue.iterate(signal);
  }

  severed(peer: NodeId, reason: string): void {
    for (const c of [...this.conns]) if (bytesEqual(c.remoteNodeId, peer)) c.terminate(reason, true);
  }

  forget(conn: ChannelConnection): void {
    this.conns.delete(conn);
  }

  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.closing.abort();
    this.offBan();
    this.network.unregister(this);
    this.incomingQueue.drain((c) => void c.close('transport closed'));
    this.incomingQueue.end();
    await Promise.all([...this.conns].map((c) => c.close('transport closed')));
  }
}

export function createChannelTransport(components: ChannelTransportComponents, init?: ChannelTransportInit): ChannelTransport {
  return new ChannelTransport(components, init);
}
