// Invites refused with typed errors and nothing written (reused, expired, forged, another mesh's); a node in two
// meshes never serves a store of one to a member of the other; a node offline when a child store was created
// discovers and syncs it when it returns (DESIGN §6).
import { expect, it } from 'vitest';
import { fromHex, newStoreId, toHex, type StoreId } from '../../../host/model/index.js';
import { decodeInviteToken, encodeInviteToken } from '../../../host/node/invite.js';
import type { Node } from '../../../host/node/node.js';
import { testNet, waitFor } from '../../helpers/node-mesh.js';
import { get, meshWithStore } from '../../helpers/node-ops.js';
import { syncStoreAs } from '../../helpers/node-probe.js';

const rootSeq = (n: Node) => n.openedStore(n.meshId())!.seq;

it('refuses reused, expired, forged and foreign invites with typed errors, writing nothing', { timeout: 90_000 }, async () => {
  const net = testNet();
  const [a, b, c, d, e] = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => net.node(name)));
  const meshA = toHex(a.meshId());
  const { token } = await a.peerInvite({});
  await b.peerJoin(token);

  const attempt = async (t: string, code: string): Promise<void> => {
    const before = rootSeq(a);
    const meshesBefore = c.config().meshes.length;
    await expect(c.peerJoin(t)).rejects.toMatchObject({ code });
    expect(rootSeq(a)).toBe(before);
    expect(c.config().meshes).toHaveLength(meshesBefore);
    expect(c.manager.peek(a.meshId())).toBeUndefined();
  };
  await attempt(token, 'E_INVITE_USED');

  const short = await a.peerInvite({ expiresInSec: 0.05 });
  await waitFor('the invite expires', () => Date.now() > Date.parse(short.expires));
  await attempt(short.token, 'E_INVITE_EXPIRED');

  const fresh = decodeInviteToken((await a.peerInvite({})).token);
  await attempt(encodeInviteToken({ ...fresh, secret: new Uint8Array(32).fill(7) }), 'E_INVITE_INVALID');
  await attempt(encodeInviteToken({ ...fresh, meshId: newStoreId() }), 'E_INVITE_INVALID');
  // The genuine token still works afterwards.
  await c.peerJoin(encodeInviteToken(fresh));
  expect(c.config().meshes.map((m) => m.meshId)).toContain(meshA);

  // Two joins racing with one token: one is admitted, the other refused.
  const raced = (await a.peerInvite({})).token;
  const outcomes = await Promise.allSettled([d!.peerJoin(raced), e!.peerJoin(raced)]);
  expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'E_INVITE_USED' } });
});

it('a node in two meshes never serves a store of one mesh to a member of the other', { timeout: 90_000 }, async () => {
  const net = testNet();
  const [x, y] = await Promise.all([net.node('x'), net.node('y')]);
  const mx = x.meshId();
  const secret = await x.storeCreate('core:kvstore', 'secret', toHex(mx));
  await x.storeExec('secret', 'put', ['k', 'hidden']);
  await y.storeCreate('core:kvstore', 'public');
  const { token } = await y.peerInvite({});
  await x.peerJoin(token); // x is now in its own mesh and in y's
  expect(x.config().meshes).toHaveLength(2);
  await x.sync();
  await y.sync();
  const secretId = fromHex(secret.storeId, 16) as StoreId;
  expect(y.manager.peek(secretId)).toBeUndefined();

  // y asks x for the secret store directly, naming either mesh: refused both ways.
  const conn = await y.network!.connect(x.key.publicKey, x.reachableAddrs());
  await expect(syncStoreAs(y, conn, secretId, mx)).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' });
  await expect(syncStoreAs(y, conn, secretId, y.meshId())).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' });
  expect(x.network!.sync.metrics.refused).toBeGreaterThanOrEqual(2);
});

it('a node offline when a child store was created discovers and syncs it when it returns', { timeout: 90_000 }, async () => {
  const net = testNet();
  const [a, b] = await meshWithStore(net, 2);
  const dir = b!.paths.dataDir;
  await b!.close();
  await a!.storeCreate('core:kvstore', 'later');
  await a!.storeExec('later', 'put', ['made', 'while-b-was-away']);
  const b2 = await net.reopen(dir);
  await b2.sync();
  expect(await get(b2, 'made', 'later')).toEqual(['while-b-was-away', false]);
  expect((await b2.storeInfo('later')).stateHash).toBe((await a!.storeInfo('later')).stateHash);
});
