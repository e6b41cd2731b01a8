// A join with a token damaged in copying fails with E_INVITE_INVALID before any connection is tried, and writes
// nothing on either side (DESIGN §6).
import { expect, it } from 'vitest';
import type { Node } from '../../../host/node/node.js';
import { testNet } from '../../helpers/node-mesh.js';

const rootSeq = (n: Node) => n.openedStore(n.meshId())!.seq;
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
const flip = (token: string, i: number): string => token.slice(0, i) + B32[(B32.indexOf(token[i]!) + 7) % 32] + token.slice(i + 1);

it('a corrupt token is E_INVITE_INVALID before any connection, and the genuine one still joins', { timeout: 60_000 }, async () => {
  const net = testNet();
  const [a, c] = await Promise.all([net.node('a'), net.node('c')]);
  const { token } = await a.peerInvite({});
  const before = { seq: rootSeq(a), meshes: c.config().meshes.length, connections: net.network.stats.connections };
  // Characters in the mesh id, the inviter id, the addresses and secret, and the checksum.
  for (const i of [10, 40, 70, Math.floor(token.length * 0.75), token.length - 2]) {
    await expect(c.peerJoin(flip(token, i))).rejects.toMatchObject({ code: 'E_INVITE_INVALID', message: expect.stringMatching(/^the invite token is corrupt/) });
  }
  expect(net.network.stats.connections).toBe(before.connections);
  expect(rootSeq(a)).toBe(before.seq);
  expect(c.config().meshes).toHaveLength(before.meshes);
  await c.peerJoin(token);
  expect(c.config().meshes).toHaveLength(before.meshes + 1);
});
