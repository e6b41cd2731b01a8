// The fault injection of ChannelNetwork: partitions, lost connects, dropped connections, latency and reordering
// between streams (never within one), and that closing releases every timer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isLatticeError } from '../../../host/model/index.js';
import type { ChannelTransport } from '../../../host/net/channel-transport.js';
import type { Connection } from '../../../host/net/transport.js';
import { channelNodes } from '../../helpers/net-channel.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function nodes(...args: Parameters<typeof channelNodes>): ReturnType<typeof channelNodes> {
  const n = channelNodes(...args);
  cleanup.push(n.close);
  return n;
}

async function connectPair(a: ChannelTransport, b: ChannelTransport): Promise<[Connection, Connection]> {
  const next = b.incoming()[Symbol.asyncIterator]().next();
  const ab = await a.connect(b.nodeId);
  return [ab, (await next).value as Connection];
}

async function unreachable(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return false;
  } catch (e) {
    return isLatticeError(e, 'E_PEER_UNREACHABLE');
  }
}

describe('ChannelNetwork faults', () => {
  it('partitions cut connections across and refuse connects until heal()', async () => {
    const { network, nodes: [a, b, c] } = nodes(3);
    const [ab, ba] = await connectPair(a!, b!);
    const [ac] = await connectPair(a!, c!);
    network.partition([a!.nodeId], [b!.nodeId]);
    expect(await ab.closed).toMatchObject({ remote: true, reason: 'network partition' });
    expect((await ba.closed).remote).toBe(true);
    expect(ac.isClosed).toBe(false);
    expect(await unreachable(b!.connect(a!.nodeId))).toBe(true);
    network.heal();
    const [ab2] = await connectPair(a!, b!);
    expect(ab2.isClosed).toBe(false);
  });

  it('loses connect attempts with the configured probability, reproducibly by seed', async () => {
    const outcomes = async (seed: number): Promise<boolean[]> => {
      const { network, nodes: [a, b] } = nodes(2, { connectLoss: 0.5, seed });
      const out: boolean[] = [];
      for (let i = 0; i < 12; i++) {
        const lost = await unreachable(a!.connect(b!.nodeId).then((c) => c.close()));
        out.push(lost);
      }
      expect(network.stats.lostConnects).toBe(out.filter(Boolean).length);
      return out;
    };
    const first = await outcomes(11);
    expect(first.some((x) => x) && first.some((x) => !x)).toBe(true);
    expect(await outcomes(11)).toEqual(first);
  });

  it('lets the accepting side use its connection before the connector\'s connect() returns', async () => {
    const { nodes: [a, b] } = nodes(2, { latencyMs: 20 });
    const next = b!.incoming()[Symbol.asyncIterator]().next();
    const connecting = a!.connect(b!.nodeId);
    const ba = (await next).value as Connection;
    const s = await ba.openStream();
    await s.send(enc('early'));
    const ab = await connecting;
    expect(dec((await (await ab.acceptStream()).receive())!)).toBe('early');
  });

  it('drops live connections on demand; both sides see it', async () => {
    const { network, nodes: [a, b] } = nodes(2);
    const [ab, ba] = await connectPair(a!, b!);
    network.dropConnections(a!.nodeId, b!.nodeId);
    expect((await ab.closed).remote).toBe(true);
    expect((await ba.closed).remote).toBe(true);
  });

  it('delays frames by the latency and reorders frames between streams, never within one', async () => {
    const { nodes: [a, b] } = nodes(2, { latencyMs: 10, jitterMs: 15, seed: 3 });
    const [ab, ba] = await connectPair(a!, b!);
    const arrivals: string[] = [];
    const reader = async (): Promise<void> => {
      const s = await ba.acceptStream();
      for await (const f of s) arrivals.push(dec(f));
    };
    const readers = [reader(), reader()];
    const [x, y] = [await ab.openStream(), await ab.openStream()];
    const started = performance.now();
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      await x.send(enc(`x${i}`));
      await y.send(enc(`y${i}`));
      sent.push(`x${i}`, `y${i}`);
    }
    await Promise.all([x.close(), y.close()]);
    await Promise.all(readers);
    expect(performance.now() - started).toBeGreaterThanOrEqual(10);
    for (const p of ['x', 'y']) expect(arrivals.filter((s) => s[0] === p)).toEqual(sent.filter((s) => s[0] === p));
    expect(arrivals).not.toEqual(sent);
  });

  it('releases its timers when closed with frames still in flight', async () => {
    const { network, nodes: [a, b], close } = channelNodes(2);
    const [ab] = await connectPair(a!, b!);
    network.latencyMs = 200;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
    try {
      const s = await ab.openStream();
      for (let i = 0; i < 5; i++) await s.send(enc('in flight'));
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      await close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('carries a 20-node mesh of connections and streams', async () => {
    const { nodes: all } = nodes(20, { latencyMs: 1, jitterMs: 2, seed: 5 });
    for (const t of all) {
      void (async () => {
        for await (const conn of t.incoming()) {
          void (async () => {
            for (;;) {
              const s = await conn.acceptStream().catch(() => null);
              if (!s) return;
              void (async () => {
                for await (const f of s) await s.send(f);
                await s.close();
              })().catch(() => undefined); // the mesh closes under it at the end
            }
          })();
        }
      })();
    }
    let echoes = 0;
    await Promise.all(all.map(async (t, i) => {
      for (let k = 1; k <= 5; k++) {
        const peer = all[(i + k) % all.length]!;
        const conn = await t.connect(peer.nodeId);
        const s = await conn.openStream();
        await s.send(enc(`${i}->${k}`));
        expect(dec((await s.receive())!)).toBe(`${i}->${k}`);
        await s.close();
        echoes++;
      }
    }));
    expect(echoes).toBe(100);
  });
});
