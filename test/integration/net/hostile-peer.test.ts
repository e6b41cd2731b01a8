// A peer sending garbage and oversized frames: each bad stream ends with a typed error on the server, the
// offender's score rises until it is banned, and the server keeps serving its other streams and other peers.
import { pack } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import { isLatticeError, MAX_FRAME, NodeKey } from '../../../host/model/index.js';
import { encodeFrame, FRAME_HEADER } from '../../../host/net/frame.js';
import { MessageStream } from '../../../host/net/message-stream.js';
import { PeerScores } from '../../../host/net/peer-score.js';
import type { Connection, Transport } from '../../../host/net/transport.js';
import { encodeMessage } from '../../../host/net/wire.js';
import type { TransportHarness, TransportUnderTest } from '../../conformance/transport.js';
import { channelHarness, sendRaw } from '../../helpers/net-channel.js';
import { irohHarness } from '../../helpers/net-iroh.js';

/** A ping server: every stream is `req{kind:'ping'}`, `ping` → `pong`. Records every request's failure code. */
function serve(t: Transport, scores: PeerScores, failures: string[]): void {
  void (async () => {
    for await (const conn of t.incoming()) {
      void (async () => {
        for (;;) {
          let s;
          try {
            s = new MessageStream(await conn.acceptStream(), scores);
          } catch {
            return; // connection closed
          }
          void (async () => {
            try {
              await s.expect('req');
              const p = await s.expect('ping');
              await s.send({ t: 'pong', nonce: p.nonce });
              await s.close();
            } catch (e) {
              failures.push(isLatticeError(e) ? e.code : `untyped: ${String(e)}`);
            }
          })();
        }
      })();
    }
  })();
}

async function ping(conn: Connection, nonce: number): Promise<number> {
  const s = new MessageStream(await conn.openStream());
  await s.send({ t: 'req', kind: 'ping' });
  await s.send({ t: 'ping', nonce });
  const pong = await s.expect('pong');
  await s.close();
  return pong.nonce;
}

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

const harnesses: Array<[string, () => TransportHarness]> = [
  ['ChannelTransport', () => channelHarness()],
  ['IrohTransport', () => irohHarness()],
];

describe.each(harnesses)('a hostile peer over %s', (_name, make) => {
  const open: TransportUnderTest[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.transport.close()));
  });

  it('gets typed stream errors and a rising score, then a ban, while others are served', { timeout: 40_000 }, async () => {
    const h = make();
    const server = await h.create();
    const bad = await h.create(NodeKey.generate());
    const good = await h.create();
    open.push(server, bad, good);
    const failures: string[] = [];
    serve(server.transport, server.scores, failures);

    const badConn = await bad.transport.connect(server.transport.nodeId, server.transport.addrs());
    const goodConn = await good.transport.connect(server.transport.nodeId, server.transport.addrs());
    expect(await ping(badConn, 1)).toBe(1);

    // A request of the bad peer that is still open while it misbehaves on other streams.
    const pending = new MessageStream(await badConn.openStream());
    await pending.send({ t: 'req', kind: 'ping' });

    const attacks: Array<[string, Uint8Array]> = [
      ['not msgpack', encodeFrame(new Uint8Array([0xc1, 0xc1, 0xc1]))],
      ['oversized', (() => { const b = new Uint8Array(FRAME_HEADER); new DataView(b.buffer).setUint32(0, MAX_FRAME + 1); return b; })()],
      ['schema', encodeFrame(pack({ t: 'req', kind: 'ping', extra: 1 }))],
      ['wrong type', encodeFrame(encodeMessage({ t: 'pong', nonce: 1 }))],
    ];
    let score = 0;
    for (const [what, bytes] of attacks) {
      const s = await badConn.openStream();
      await sendRaw(s, bytes);
      await expect(s.receive(), what).rejects.toMatchObject({ code: 'E_STREAM_RESET' });
      const now = server.scores.view(bad.transport.nodeId).score;
      expect(now, what).toBeGreaterThan(score);
      score = now;
      expect(await ping(goodConn, 7)).toBe(7); // other peers are served throughout
    }
    await waitFor(() => failures.length === attacks.length, 'the server to record every failure');
    expect(failures.sort()).toEqual(['E_BAD_FRAME', 'E_BAD_FRAME', 'E_BAD_FRAME', 'E_FRAME_TOO_LARGE']);

    // The bad peer's well-formed request opened before the attacks is still served.
    await pending.send({ t: 'ping', nonce: 99 });
    expect((await pending.expect('pong')).nonce).toBe(99);

    // Keep going until the ban: the connection is closed and reconnecting is refused.
    while (!server.scores.isBanned(bad.transport.nodeId)) {
      const s = await badConn.openStream();
      await sendRaw(s, encodeFrame(new Uint8Array([0xc1])));
      await s.receive().catch(() => undefined);
    }
    expect((await badConn.closed).remote).toBe(true);
    let refused = false;
    try {
      refused = (await (await bad.transport.connect(server.transport.nodeId, server.transport.addrs())).closed).remote;
    } catch (e) {
      refused = isLatticeError(e, 'E_PEER_UNREACHABLE');
    }
    expect(refused).toBe(true);
    expect(await ping(goodConn, 8)).toBe(8);
    expect(failures.every((f) => f.startsWith('E_'))).toBe(true);
  });
});
