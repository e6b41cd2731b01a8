// The in-memory network ChannelTransports share (DESIGN §7): it finds nodes by id and injects faults. Streams are
// reliable and ordered (as QUIC's are), so "loss" is modelled where a real network shows it to a QUIC user: a
// connect attempt is lost (it times out with E_PEER_UNREACHABLE) with probability `connectLoss`, and
// `dropConnections` cuts live connections. Latency and jitter apply per frame with each stream kept FIFO, so frames
// of different streams reorder; a partition cuts the connections across it and makes connects between the two
// sides time out until heal().
import { toHex, type NodeId } from '../model/index.js';

export interface ChannelNetworkInit {
  /** One-way delay of every frame and handshake, in ms. */
  latencyMs?: number;
  /** Extra random delay per frame, uniform in [0, jitterMs): frames of different streams reorder. */
  jitterMs?: number;
  /** Probability that a connect attempt is lost (it times out). */
  connectLoss?: number;
  /** Seed of the fault injector's PRNG, for reproducible runs. */
  seed?: number;
}

export interface ChannelStats {
  connections: number;
  frames: number;
  bytes: number;
  lostConnects: number;
}

/** The part of a ChannelTransport the network talks to. */
export interface ChannelEndpoint {
  readonly nodeId: NodeId;
  /** The network cut the connections to `peer` (partition or drop). */
  severed(peer: NodeId, reason: string): void;
}

export class ChannelNetwork {
  latencyMs: number;
  jitterMs: number;
  connectLoss: number;
  readonly stats: ChannelStats = { connections: 0, frames: 0, bytes: 0, lostConnects: 0 };
  private readonly nodes = new Map<string, ChannelEndpoint>();
  private readonly partitions: Array<[Set<string>, Set<string>]> = [];
  private rng: number;

  constructor(init: ChannelNetworkInit = {}) {
    this.latencyMs = init.latencyMs ?? 0;
    this.jitterMs = init.jitterMs ?? 0;
    this.connectLoss = init.connectLoss ?? 0;
    this.rng = (init.seed ?? 0x1a77ce) >>> 0;
  }

  /** A uniform random number in [0, 1) from the network's seeded PRNG (mulberry32). */
  random(): number {
    let t = (this.rng = (this.rng + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** The delay of one frame: latency plus jitter. */
  frameDelay(): number {
    return this.latencyMs + (this.jitterMs > 0 ? this.random() * this.jitterMs : 0);
  }

  register(endpoint: ChannelEndpoint): void {
    const key = toHex(endpoint.nodeId);
    if (this.nodes.has(key)) throw new Error(`a ChannelTransport for ${key.slice(0, 12)} is already on this network`);
    this.nodes.set(key, endpoint);
  }

  unregister(endpoint: ChannelEndpoint): void {
    const key = toHex(endpoint.nodeId);
    if (this.nodes.get(key) === endpoint) this.nodes.delete(key);
  }

  lookup(nodeId: NodeId): ChannelEndpoint | undefined {
    return this.nodes.get(toHex(nodeId));
  }

  nodeIds(): NodeId[] {
    return [...this.nodes.values()].map((n) => n.nodeId);
  }

  /** Whether a connect attempt is lost this time (draws from the PRNG). */
  loseConnect(): boolean {
    const lost = this.connectLoss > 0 && this.random() < this.connectLoss;
    if (lost) this.stats.lostConnects++;
    return lost;
  }

  reachable(a: NodeId, b: NodeId): boolean {
    const ka = toHex(a);
    const kb = toHex(b);
    return !this.partitions.some(([x, y]) => (x.has(ka) && y.has(kb)) || (x.has(kb) && y.has(ka)));
  }

  /** Splits `a` from `b`: connections across are cut now, and connects across time out until heal(). */
  partition(a: readonly NodeId[], b: readonly NodeId[]): void {
    const sa = new Set(a.map(toHex));
    const sb = new Set(b.map(toHex));
    this.partitions.push([sa, sb]);
    for (const x of sa) for (const y of sb) this.sever(x, y, 'network partition');
  }

  /** Removes every partition. */
  heal(): void {
    this.partitions.length = 0;
  }

  /** Cuts the live connections between `a` and `b` (both sides see them close), as a network failure would. */
  dropConnections(a: NodeId, b: NodeId): void {
    this.sever(toHex(a), toHex(b), 'connection dropped by the network');
  }

  private sever(a: string, b: string, reason: string): void {
    const na = this.nodes.get(a);
    const nb = this.nodes.get(b);
    if (na && nb) {
      na.severed(nb.nodeId, reason);
      nb.severed(na.nodeId, reason);
    }
  }
}

/** One FIFO lane of deliveries (a stream direction): each item waits for its delay but never overtakes. */
export class Lane {
  private readonly queue: Array<{ at: number; run: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private last = 0;

  constructor(private readonly delay: () => number) {}

  schedule(run: () => void, delay = this.delay()): void {
    const at = Math.max(this.last, performance.now() + delay);
    this.last = at;
    this.queue.push({ at, run });
    this.arm();
  }

  clear(): void {
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head || this.timer || this.immediate) return;
    const wait = head.at - performance.now();
    if (wait <= 0.5) this.immediate = setImmediate(() => this.fire());
    else this.timer = setTimeout(() => this.fire(), Math.ceil(wait));
  }

  private fire(): void {
    this.timer = this.immediate = undefined;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) this.queue.shift()!.run();
    this.arm();
  }
}
