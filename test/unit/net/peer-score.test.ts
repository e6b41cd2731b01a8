import { describe, expect, it } from 'vitest';
import { NodeKey } from '../../../host/model/index.js';
import { PeerScores } from '../../../host/net/peer-score.js';

describe('PeerScores', () => {
  const peer = NodeKey.generate().publicKey;
  const other = NodeKey.generate().publicKey;

  it('rate-limits requests with a token bucket that refills over time', () => {
    let now = 1000;
    const s = new PeerScores({ ratePerSec: 10, burst: 5, now: () => now });
    for (let i = 0; i < 5; i++) expect(s.allowRequest(peer)).toBe(true);
    expect(s.allowRequest(peer)).toBe(false);
    expect(s.view(peer).score).toBeGreaterThan(0);
    expect(s.allowRequest(other)).toBe(true); // per peer
    now += 200; // two tokens
    expect(s.allowRequest(peer)).toBe(true);
    expect(s.allowRequest(peer)).toBe(true);
    expect(s.allowRequest(peer)).toBe(false);
  });

  it('bans at the threshold, tells listeners, refuses while banned, and lifts the ban after banMs', () => {
    let now = 0;
    const s = new PeerScores({ banThreshold: 50, banMs: 60_000, now: () => now });
    const banned: string[] = [];
    const off = s.onBan((p) => banned.push(Buffer.from(p).toString('hex')));
    expect(s.penalize(peer, 'bad-frame').banned).toBe(false);
    expect(s.penalize(peer, 'bad-frame').banned).toBe(false);
    expect(s.penalize(peer, 'bad-frame').banned).toBe(true);
    expect(banned).toEqual([Buffer.from(peer).toString('hex')]);
    expect(s.isBanned(peer)).toBe(true);
    expect(s.isBanned(other)).toBe(false);
    expect(s.allowRequest(peer)).toBe(false);
    now += 60_001;
    expect(s.isBanned(peer)).toBe(false);
    off();
    s.ban(peer);
    expect(banned).toHaveLength(1);
  });

  it('forgets misbehaviour over time', () => {
    let now = 0;
    const s = new PeerScores({ decayPerMin: 10, now: () => now });
    s.penalize(peer, 'frame-too-large');
    expect(s.view(peer).score).toBe(40);
    now += 2 * 60_000;
    expect(s.view(peer).score).toBe(20);
    now += 10 * 60_000;
    expect(s.view(peer).score).toBe(0);
  });

  it('tracks a bounded number of peers but keeps the banned ones', () => {
    const s = new PeerScores({ maxPeers: 3 });
    const bad = NodeKey.generate().publicKey;
    s.ban(bad);
    for (let i = 0; i < 10; i++) s.penalize(NodeKey.generate().publicKey, 'protocol');
    expect(s.isBanned(bad)).toBe(true);
  });
});
