// Per-peer scoring (DESIGN §7): a token bucket limits how fast a peer may open requests, and misbehaviour (bad
// frames, oversized frames, refused requests, rate overruns) adds to a ban score that decays over time. Crossing
// the threshold bans the peer for a while: transports refuse its connections and close the open ones.
import { toHex, type NodeId } from '../model/index.js';
import { logger } from './log.js';

export type Offense = 'bad-frame' | 'frame-too-large' | 'rate-limited' | 'unauthorized' | 'protocol';

export interface PeerScoreInit {
  /** Requests (streams) per second a peer may open on average. */
  ratePerSec?: number;
  /** Requests a peer may open at once before the rate applies. */
  burst?: number;
  /** Ban score at which a peer is banned. */
  banThreshold?: number;
  /** How long a ban lasts. */
  banMs?: number;
  /** Ban score forgotten per minute of good behaviour. */
  decayPerMin?: number;
  /** Ban score per offense. */
  weights?: Partial<Record<Offense, number>>;
  /** Peers tracked at most (the least recently seen unbanned ones are forgotten first). */
  maxPeers?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export const DEFAULT_WEIGHTS: Record<Offense, number> = { 'bad-frame': 20, 'frame-too-large': 40, 'rate-limited': 2, unauthorized: 10, protocol: 10 };

interface PeerState {
  tokens: number;
  refilledAt: number;
  score: number;
  scoredAt: number;
  bannedUntil: number;
  offenses: number;
}

export interface PeerScoreView {
  score: number;
  banned: boolean;
  bannedUntil: number;
  offenses: number;
}

export class PeerScores {
  private readonly peers = new Map<string, PeerState>();
  private readonly banListeners = new Set<(peer: NodeId, until: number) => void>();
  private readonly log = logger('lattice:net:score');
  readonly ratePerSec: number;
  readonly burst: number;
  readonly banThreshold: number;
  readonly banMs: number;
  readonly decayPerMin: number;
  readonly weights: Record<Offense, number>;
  private readonly maxPeers: number;
  private readonly now: () => number;

  constructor(init: PeerScoreInit = {}) {
    this.ratePerSec = init.ratePerSec ?? 200;
    this.burst = init.burst ?? 400;
    this.banThreshold = init.banThreshold ?? 100;
    this.banMs = init.banMs ?? 10 * 60_000;
    this.decayPerMin = init.decayPerMin ?? 10;
    this.weights = { ...DEFAULT_WEIGHTS, ...init.weights };
    this.maxPeers = init.maxPeers ?? 10_000;
    this.now = init.now ?? Date.now;
  }

  /** Takes one request token; false (and a rate-limited offense) when the peer is over its rate or banned. */
  allowRequest(peer: NodeId): boolean {
    const s = this.state(peer);
    const now = this.now();
    if (s.bannedUntil > now) return false;
    s.tokens = Math.min(this.burst, s.tokens + ((now - s.refilledAt) / 1000) * this.ratePerSec);
    s.refilledAt = now;
    if (s.tokens >= 1) {
      s.tokens -= 1;
      return true;
    }
    this.penalize(peer, 'rate-limited');
    return false;
  }

  /** Adds the offense's weight; bans the peer when the score reaches the threshold. Returns the new view. */
  penalize(peer: NodeId, offense: Offense, detail?: string): PeerScoreView {
    const s = this.state(peer);
    const now = this.now();
    this.decay(s, now);
    s.score += this.weights[offense];
    s.offenses++;
    this.log('offense', toHex(peer).slice(0, 12), offense, detail ?? '', `score ${s.score}`);
    if (s.score >= this.banThreshold && s.bannedUntil <= now) this.ban(peer);
    return this.view(peer);
  }

  /** Bans `peer` for `ms` (default banMs) and tells the listeners. */
  ban(peer: NodeId, ms = this.banMs): void {
    const s = this.state(peer);
    s.bannedUntil = this.now() + ms;
    this.log('banned', toHex(peer).slice(0, 12), `for ${ms} ms`);
    for (const l of [...this.banListeners]) l(peer, s.bannedUntil);
  }

  unban(peer: NodeId): void {
    const s = this.peers.get(toHex(peer));
    if (s) {
      s.bannedUntil = 0;
      s.score = 0;
    }
  }

  isBanned(peer: NodeId): boolean {
    const s = this.peers.get(toHex(peer));
    return s !== undefined && s.bannedUntil > this.now();
  }

  view(peer: NodeId): PeerScoreView {
    const s = this.peers.get(toHex(peer));
    if (!s) return { score: 0, banned: false, bannedUntil: 0, offenses: 0 };
    this.decay(s, this.now());
    return { score: s.score, banned: s.bannedUntil > this.now(), bannedUntil: s.bannedUntil, offenses: s.offenses };
  }

  /** Calls `listener` whenever a peer gets banned; returns the unsubscribe function. */
  onBan(listener: (peer: NodeId, until: number) => void): () => void {
    this.banListeners.add(listener);
    return () => this.banListeners.delete(listener);
  }

  private decay(s: PeerState, now: number): void {
    s.score = Math.max(0, s.score - ((now - s.scoredAt) / 60_000) * this.decayPerMin);
    s.scoredAt = now;
  }

  private state(peer: NodeId): PeerState {
    const key = toHex(peer);
    let s = this.peers.get(key);
    if (s) {
      this.peers.delete(key); // re-insert: Map order is recency order
    } else {
      const now = this.now();
      s = { tokens: this.burst, refilledAt: now, score: 0, scoredAt: now, bannedUntil: 0, offenses: 0 };
      this.evict();
    }
    this.peers.set(key, s);
    return s;
  }

  private evict(): void {
    if (this.peers.size < this.maxPeers) return;
    const now = this.now();
    for (const [key, s] of this.peers) {
      if (s.bannedUntil <= now) {
        this.peers.delete(key);
        return;
      }
    }
  }
}
