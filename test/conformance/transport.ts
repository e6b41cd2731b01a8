// The Transport conformance suite (STYLE §2): every implementation calls runTransportConformance once with a
// harness that makes transports, and must pass all of it. Behaviour only: no implementation internals.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesEqual, isLatticeError, MAX_FRAME, NodeKey, type NodeId } from '../../host/model/index.js';
import { FRAME_HEADER } from '../../host/net/frame.js';
import type { PeerScores } from '../../host/net/peer-score.js';
import type { Connection, FrameStream, Transport } from '../../host/net/transport.js';

export interface TransportUnderTest {
  transport: Transport;
  scores: PeerScores;
}

export interface TransportHarness {
  /** A new transport with a fresh key (or `key`), on the harness's network. */
  create(key?: NodeKey): Promise<TransportUnderTest>;
  /** A node id and addresses where nobody answers. */
  unreachable(): Promise<{ nodeId: NodeId; addrs: string[] }>;
  /** Writes raw bytes on a stream, bypassing framing (fault injection). */
  sendRaw(stream: FrameStream, bytes: Uint8Array): Promise<void>;
  /** The connect timeout the harness configured its transports with. */
  connectTimeoutMs: number;
  /** Releases whatever the harness itself holds (transports are closed by the suite). */
  teardown(): Promise<void>;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function rejectsWith(p: Promise<unknown>, code: string): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    if (!isLatticeError(e)) throw new Error(`expected LatticeError ${code}, got ${String(e)}`, { cause: e });
    expect(e.code).toBe(code);
    return e;
  }
  throw new Error(`expected a rejection with ${code}`);
}

export function runTransportConformance(name: string, factory: () => Promise<TransportHarness>): void {
  describe(`Transport conformance: ${name}`, { timeout: 20_000 }, () => {
    let harness: TransportHarness;
    const opened: Transport[] = [];

    const make = async (key?: NodeKey): Promise<TransportUnderTest> => {
      const t = await harness.create(key);
      opened.push(t.transport);
      return t;
    };

    /** A connected pair: a's outbound connection and b's matching inbound one. */
    const pair = async (): Promise<{ a: TransportUnderTest; b: TransportUnderTest; ab: Connection; ba: Connection }> => {
      const a = await make();
      const b = await make();
      const incoming = b.transport.incoming()[Symbol.asyncIterator]();
      const [ab, next] = await Promise.all([a.transport.connect(b.transport.nodeId, b.transport.addrs()), incoming.next()]);
      if (next.done) throw new Error('incoming ended');
      return { a, b, ab, ba: next.value };
    };

    beforeEach(async () => {
      harness = await factory();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((t) => t.close()));
      await harness.teardown();
    });

    it('connects by node id and addresses; both sides see the authenticated id', async () => {
      const { a, b, ab, ba } = await pair();
      expect(bytesEqual(ab.remoteNodeId, b.transport.nodeId)).toBe(true);
      expect(bytesEqual(ba.remoteNodeId, a.transport.nodeId)).toBe(true);
      expect(ab.direction).toBe('outbound');
      expect(ba.direction).toBe('inbound');
      expect(a.transport.addrs().length).toBeGreaterThan(0);
      expect(a.transport.connections()).toContain(ab);
      expect(b.transport.connections()).toContain(ba);
    });

    it('carries frames both ways, on streams opened from either side', async () => {
      const { ab, ba } = await pair();
      const s1 = await ab.openStream();
      await s1.send(enc('hello from a'));
      const r1 = await ba.acceptStream();
      expect(dec((await r1.receive())!)).toBe('hello from a');
      await r1.send(enc('reply from b'));
      expect(dec((await s1.receive())!)).toBe('reply from b');

      const s2 = await ba.openStream();
      await s2.send(enc('b opens'));
      const r2 = await ab.acceptStream();
      expect(dec((await r2.receive())!)).toBe('b opens');
      await r2.send(enc('a answers'));
      await r2.close();
      expect(dec((await s2.receive())!)).toBe('a answers');
      expect(await s2.receive()).toBeNull();
    });

    it('runs several concurrent streams, each in order', async () => {
      const { ab, ba } = await pair();
      const STREAMS = 8;
      const FRAMES = 25;
      const server = (async () => {
        const handled: Promise<void>[] = [];
        for (let i = 0; i < STREAMS; i++) {
          const s = await ba.acceptStream();
          handled.push((async () => {
            for await (const f of s) await s.send(f); // echo
            await s.close();
          })());
        }
        await Promise.all(handled);
      })();
      const clients = Array.from({ length: STREAMS }, async (_, i) => {
        const s = await ab.openStream();
        const sending = (async () => {
          for (let k = 0; k < FRAMES; k++) await s.send(enc(`${i}:${k}`));
          await s.close();
        })();
        const got: string[] = [];
        for (;;) {
          const f = await s.receive();
          if (f === null) break;
          got.push(dec(f));
          if (got.length === FRAMES) break;
        }
        await sending;
        expect(got).toEqual(Array.from({ length: FRAMES }, (_, k) => `${i}:${k}`));
      });
      await Promise.all(clients);
      await server;
    });

    it('moves frames of exactly MAX_FRAME bytes intact', async () => {
      const { ab, ba } = await pair();
      const big = new Uint8Array(MAX_FRAME);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 255;
      const s = await ab.openStream();
      const sending = (async () => {
        for (let k = 0; k < 3; k++) await s.send(big);
        await s.close();
      })();
      const r = await ba.acceptStream();
      for (let k = 0; k < 3; k++) {
        const f = await r.receive();
        expect(f?.length).toBe(MAX_FRAME);
        expect(bytesEqual(f!, big)).toBe(true);
      }
      expect(await r.receive()).toBeNull();
      await sending;
    });

    it('refuses to send an oversized frame and keeps the stream usable', async () => {
      const { ab, ba } = await pair();
      const s = await ab.openStream();
      await rejectsWith(s.send(new Uint8Array(MAX_FRAME + 1)), 'E_FRAME_TOO_LARGE');
      await s.send(enc('still fine'));
      const r = await ba.acceptStream();
      expect(dec((await r.receive())!)).toBe('still fine');
    });

    it('resets a stream whose peer declares an oversized frame, charges the peer, and keeps serving', async () => {
      const { a, b, ab, ba } = await pair();
      const s = await ab.openStream();
      await s.send(enc('ok first'));
      const header = new Uint8Array(FRAME_HEADER);
      new DataView(header.buffer).setUint32(0, MAX_FRAME + 1, false);
      await harness.sendRaw(s, header);
      const r = await ba.acceptStream();
      expect(dec((await r.receive())!)).toBe('ok first');
      await rejectsWith(r.receive(), 'E_FRAME_TOO_LARGE');
      expect(b.scores.view(a.transport.nodeId).score).toBeGreaterThan(0);
      await rejectsWith(s.receive(), 'E_STREAM_RESET');
      // The connection and the transport go on serving.
      const s2 = await ab.openStream();
      await s2.send(enc('next request'));
      const r2 = await ba.acceptStream();
      expect(dec((await r2.receive())!)).toBe('next request');
    });

    it('shows a stream reset to the other side as E_STREAM_RESET', async () => {
      const { ab, ba } = await pair();
      const s = await ab.openStream();
      await s.send(enc('x'));
      const r = await ba.acceptStream();
      expect(dec((await r.receive())!)).toBe('x');
      r.reset();
      await rejectsWith(s.receive(), 'E_STREAM_RESET');
    });

    it('shows a connection close to the other side and fails its waits with E_CLOSED', async () => {
      const { ab, ba } = await pair();
      const s = await ab.openStream();
      await s.send(enc('x'));
      const r = await ba.acceptStream();
      expect(dec((await r.receive())!)).toBe('x');
      const pendingAccept = ba.acceptStream();
      const pendingReceive = r.receive();
      await ab.close('bye');
      await ab.close('again'); // idempotent
      expect(ab.isClosed).toBe(true);
      expect((await ab.closed).remote).toBe(false);
      const info = await ba.closed;
      expect(info.remote).toBe(true);
      expect(ba.isClosed).toBe(true);
      await rejectsWith(pendingAccept, 'E_CLOSED');
      await rejectsWith(pendingReceive, 'E_CLOSED');
      await rejectsWith(ab.openStream(), 'E_CLOSED');
    });

    it('close() is idempotent, ends incoming, closes connections and refuses new work', async () => {
      const { a, b, ba } = await pair();
      const iter = a.transport.incoming()[Symbol.asyncIterator]();
      const ended = iter.next();
      await Promise.all([a.transport.close(), a.transport.close()]);
      await a.transport.close();
      expect((await ended).done).toBe(true);
      expect(a.transport.connections()).toEqual([]);
      expect((await ba.closed).remote).toBe(true);
      await rejectsWith(a.transport.connect(b.transport.nodeId, b.transport.addrs()), 'E_CLOSED');
      await b.transport.close();
      expect(b.transport.connections()).toEqual([]);
    });

    it('gives E_PEER_UNREACHABLE for an unreachable peer within the connect timeout', async () => {
      const a = await make();
      const { nodeId, addrs } = await harness.unreachable();
      const started = performance.now();
      await rejectsWith(a.transport.connect(nodeId, addrs), 'E_PEER_UNREACHABLE');
      expect(performance.now() - started).toBeLessThan(harness.connectTimeoutMs + 2000);
    });

    it('honours AbortSignal on connect, acceptStream and receive without losing frames', async () => {
      const a = await make();
      const { nodeId, addrs } = await harness.unreachable();
      await rejectsWith(a.transport.connect(nodeId, addrs, AbortSignal.abort()), 'E_ABORTED');
      const ctl = new AbortController();
      const started = performance.now();
      const connecting = a.transport.connect(nodeId, addrs, ctl.signal);
      setTimeout(() => ctl.abort(), 50);
      await rejectsWith(connecting, 'E_ABORTED');
      expect(performance.now() - started).toBeLessThan(harness.connectTimeoutMs);

      const { ab, ba } = await pair();
      await rejectsWith(ba.acceptStream(AbortSignal.timeout(50)), 'E_ABORTED');
      const s = await ab.openStream();
      await s.send(enc('first'));
      const r = await ba.acceptStream();
      expect(dec((await r.receive())!)).toBe('first');
      await rejectsWith(r.receive(AbortSignal.timeout(50)), 'E_ABORTED');
      await s.send(enc('second'));
      expect(dec((await r.receive())!)).toBe('second');
      await rejectsWith(s.send(enc('late'), AbortSignal.abort()), 'E_ABORTED');
    });

    it('refuses a banned peer and closes its open connections', async () => {
      const { a, b, ab } = await pair();
      b.scores.ban(a.transport.nodeId, 60_000);
      expect((await ab.closed).remote).toBe(true);
      let refused = false;
      try {
        const again = await a.transport.connect(b.transport.nodeId, b.transport.addrs());
        // QUIC learns the peer's id only after the handshake, so the refusal can come as an immediate close.
        refused = (await again.closed).remote;
      } catch (e) {
        refused = isLatticeError(e, 'E_PEER_UNREACHABLE');
      }
      expect(refused).toBe(true);
      expect(b.transport.connections()).toEqual([]);
      await rejectsWith(b.transport.connect(a.transport.nodeId, a.transport.addrs()), 'E_BANNED');
    });
  });
}
