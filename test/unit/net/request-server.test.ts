// serveConnection: per-stream authorization on the first frame, typed refusals, slow headers, handler errors,
// and a connection that keeps serving through all of them.
import { afterEach, expect, it } from 'vitest';
import { LatticeError, type NodeId } from '../../../host/model/index.js';
import { encodeFrame } from '../../../host/net/frame.js';
import { MessageStream } from '../../../host/net/message-stream.js';
import { serveConnection } from '../../../host/net/request-server.js';
import type { Connection } from '../../../host/net/transport.js';
import type { RequestHeader } from '../../../host/net/wire.js';
import { channelNodes, sendRaw } from '../../helpers/net-channel.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
});

async function ask(conn: Connection, header: RequestHeader): Promise<number> {
  const s = new MessageStream(await conn.openStream());
  await s.send(header);
  await s.send({ t: 'ping', nonce: 5 });
  return (await s.expect('pong')).nonce;
}

it('authorizes each request on its header and keeps serving after refusals and failures', async () => {
  const net = channelNodes(2);
  close = net.close;
  const [client, server] = net.nodes as [typeof net.nodes[0], typeof net.nodes[0]];
  const errors: string[] = [];
  const next = server.incoming()[Symbol.asyncIterator]().next();
  const conn = await client.connect(server.nodeId);
  const inbound = (await next).value as Connection;
  const served = serveConnection(inbound, {
    scores: server.scores,
    headerTimeoutMs: 200,
    authorize: (_peer: NodeId, h) => {
      if (h.kind === 'join') throw new LatticeError('E_NOT_A_MEMBER', 'join elsewhere');
    },
    handle: async ({ header, stream }) => {
      if (header.kind === 'clone') throw new Error('a bug in a handler');
      const p = await stream.expect('ping');
      await stream.send({ t: 'pong', nonce: p.nonce });
      await stream.close();
    },
    onError: (e) => errors.push(e.code),
  });

  expect(await ask(conn, { t: 'req', kind: 'ping' })).toBe(5);
  // refused: the peer's err arrives as its typed error, and the refusal is charged
  await expect(ask(conn, { t: 'req', kind: 'join' })).rejects.toMatchObject({ code: 'E_NOT_A_MEMBER' });
  expect(server.scores.view(client.nodeId).score).toBeGreaterThan(0);
  // a handler's untyped failure reaches the peer as E_HOST_FAULT, never as a crash
  await expect(ask(conn, { t: 'req', kind: 'clone' })).rejects.toMatchObject({ code: 'E_HOST_FAULT' });
  // a stream whose first frame is not a header, and one that never sends its header in time
  const bad = await conn.openStream();
  await sendRaw(bad, encodeFrame(new Uint8Array([0xc1])));
  await expect(bad.receive()).rejects.toMatchObject({ code: 'E_STREAM_RESET' });
  const slow = await conn.openStream();
  await sendRaw(slow, new Uint8Array([0, 0])); // announces the stream, half a length prefix
  await expect(slow.receive()).rejects.toMatchObject({ code: 'E_STREAM_RESET' });
  expect(await ask(conn, { t: 'req', kind: 'ping' })).toBe(5);
  expect(errors).toEqual(['E_NOT_A_MEMBER', 'E_HOST_FAULT', 'E_BAD_FRAME', 'E_TIMEOUT']);

  await conn.close();
  await served; // resolves once the connection is gone
});
