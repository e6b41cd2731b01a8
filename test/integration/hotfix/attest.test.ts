// Hot-fix attestations exchanged over the protocol (DESIGN §4.4, the `attest` request of sync-service.ts), between
// real nodes over the in-memory transport: after each sync of a store the two nodes hold each other's attestations;
// equal state hashes raise nothing, a node that attests another state for the same witnessed set raises an alarm on
// its peer (shown by store info); a malformed or forged attestation message is dropped with a typed error and
// charged to the sender, and the node keeps serving.
import { pack } from 'msgpackr';
import { beforeAll, expect, it } from 'vitest';
import { decodeProjection, encodeProjection } from '../../../host/kernel/index.js';
import { fromHex, NodeKey, toHex, type Hash, type StoreId } from '../../../host/model/index.js';
import { MessageStream } from '../../../host/net/message-stream.js';
import type { Connection } from '../../../host/net/transport.js';
import type { Node } from '../../../host/node/node.js';
import { signAttestation } from '../../../host/node/upgrade-verdicts.js';
import { seqKey } from '../../../host/storage/index.js';
import { testNet, waitFor } from '../../helpers/node-mesh.js';
import { latestUpgrade, variant } from './helpers.js';

let fast: Uint8Array;
beforeAll(async () => {
  fast = await variant('counter-fast');
}, 180_000);

/** Node a creates a demo:counter store `clicks` with some history; b joins a's mesh and has the same history. */
async function twoNodes(net: ReturnType<typeof testNet>): Promise<{ a: Node; b: Node; storeId: StoreId }> {
  const a = await net.node('a');
  const b = await net.node('b');
  const { storeId: id } = await a.storeCreate('demo:counter', 'clicks');
  const { token } = await a.peerInvite({ expiresInSec: 600 });
  expect((await b.peerJoin(token)).stores).toBe(1);
  for (let i = 0; i < 12; i++) await (i % 2 ? a : b).storeExec('clicks', 'increment', [`k${i % 3}`, String(i + 1)]);
  await a.sync('clicks');
  expect((await b.storeInfo('clicks')).stateHash).toBe((await a.storeInfo('clicks')).stateHash);
  return { a, b, storeId: fromHex(id, 16) as StoreId };
}

/** a publishes counter-fast as a hot-fix and syncs; resolves once b has verified and witnessed the upgrade. */
async function publishAndVerify(a: Node, b: Node, storeId: StoreId): Promise<void> {
  expect(await a.modulePublish(fast, 'demo:counter')).toMatchObject({ hotfix: true, stores: 1 });
  const upgrade = latestUpgrade(a.openedStore(storeId)!).hash;
  await a.sync('clicks');
  await waitFor('b verifies the upgrade', () => b.openedStore(storeId)!.isWitnessed(upgrade));
}

const holders = (node: Node, storeId: StoreId): string[] => node.upgrades.verdicts.attestations(storeId).map((x) => toHex(x.node)).sort();

it('after an equivalent upgrade, a sync leaves both nodes with each other\'s attestations and no alarm; syncing again changes nothing', { timeout: 180_000 }, async () => {
  const net = testNet();
  const { a, b, storeId } = await twoNodes(net);
  await publishAndVerify(a, b, storeId);
  // The sync that carried the upgrade already gave b the publisher's attestation (sent after the session); a gets
  // b's at the next sync (or at this one, when b verified before it answered).
  expect(holders(b, storeId)).toEqual([toHex(a.key.publicKey), toHex(b.key.publicKey)].sort());

  await a.sync('clicks');
  const both = [toHex(a.key.publicKey), toHex(b.key.publicKey)].sort();
  expect(holders(a, storeId)).toEqual(both);
  expect(holders(b, storeId)).toEqual(both);
  for (const node of [a, b]) {
    const att = node.upgrades.verdicts.attestations(storeId);
    expect(new Set(att.map((x) => toHex(x.stateHash))).size).toBe(1);
    expect(new Set(att.map((x) => toHex(x.fingerprint))).size).toBe(1);
    expect(node.upgrades.verdicts.alarmsRaised).toBe(0);
    expect((await node.storeInfo('clicks')).upgrades?.alarms).toEqual([]);
  }
  expect(a.network!.sync.metrics.attestationsReceived).toBeGreaterThanOrEqual(1);

  // Both directions again: nothing new is raised or stored, and the answers carry only what the asker lacked.
  for (const [asker, other] of [[b, a], [a, b]] as const) {
    const before = { received: asker.network!.sync.metrics.attestationsReceived, sent: other.network!.sync.metrics.attestationsSent };
    await asker.sync('clicks');
    expect({ received: asker.network!.sync.metrics.attestationsReceived, sent: other.network!.sync.metrics.attestationsSent }).toEqual(before);
  }
  for (const node of [a, b]) {
    expect(holders(node, storeId)).toEqual(both);
    expect(node.upgrades.verdicts.alarmsRaised).toBe(0);
  }
});

it('a node whose state hash differs for the same witnessed set raises an alarm on its peer after a sync, shown by store info', { timeout: 180_000 }, async () => {
  const net = testNet();
  const { a, b, storeId } = await twoNodes(net);
  // b's stored state differs from a's: its projection record at its last seq names another state hash (the seq the
  // verification of the upgrade will cover, as b has witnessed the same set as a).
  const storeB = b.openedStore(storeId)!;
  const seq = storeB.seq;
  const t = b.env.tables;
  const rec = decodeProjection(new Uint8Array(t.projection.get(seqKey(storeId, seq))!));
  const tampered = new Uint8Array(rec.stateHash).map((x) => x ^ 0xff) as Hash;
  await t.projection.put(seqKey(storeId, seq), encodeProjection({ ...rec, stateHash: tampered }));

  await publishAndVerify(a, b, storeId);
  // b attested the tampered state; it also holds a's attestation (sent after the sync that carried the upgrade),
  // so b raised the alarm too, whichever came first.
  const own = b.upgrades.verdicts.attestations(storeId).find((x) => toHex(x.node) === toHex(b.key.publicKey))!;
  expect(toHex(own.stateHash)).toBe(toHex(tampered));
  expect(b.upgrades.verdicts.alarmsRaised).toBe(1);

  await a.sync('clicks');
  expect(a.upgrades.verdicts.alarmsRaised).toBe(1);
  const info = await a.storeInfo('clicks');
  expect(info.upgrades?.alarms).toEqual([
    expect.objectContaining({ node: toHex(b.key.publicKey), other: toHex(a.key.publicKey), stateHash: toHex(tampered), otherStateHash: toHex(rec.stateHash) }),
  ]);
  // The alarm is raised once: the next syncs bring nothing new.
  await a.sync('clicks');
  await b.sync('clicks');
  expect(a.upgrades.verdicts.alarmsRaised).toBe(1);
  expect(b.upgrades.verdicts.alarmsRaised).toBe(1);
  expect((await a.storeInfo('clicks')).upgrades?.alarms).toHaveLength(1);
});

/** Opens an `attest` request on `conn`, lets `send` write after the header, and returns what comes back (or the error). */
async function attestRequest(conn: Connection, header: { meshId: StoreId; storeId: StoreId }, send: (s: MessageStream) => Promise<void>): Promise<unknown> {
  const s = new MessageStream(await conn.openStream());
  await s.send({ t: 'req', kind: 'attest', ...header });
  await send(s);
  await s.stream.close().catch(() => undefined);
  try {
    return await s.receive();
  } catch (e) {
    return e;
  }
}

it('a malformed or forged attestation message is dropped with a typed error, charged to the peer, and the node keeps serving', { timeout: 180_000 }, async () => {
  const net = testNet();
  const { a, b, storeId } = await twoNodes(net);
  await publishAndVerify(a, b, storeId);
  const meshId = a.openedStore(storeId)!.meta.meshId as StoreId;
  const conn = await b.network!.connect(a.key.publicKey, a.reachableAddrs());
  const scores = a.network!.sync.scores;
  const badFrames = a.network!.sync.metrics.badFrames;
  const held = a.upgrades.verdicts.attestations(storeId).length;
  const errors: string[] = [];
  const listen = (e: unknown): void => void errors.push((e as { code: string }).code);

  // A schema-breaking message: an attestation that is not a map, one with a short fingerprint.
  for (const attestations of [[new Uint8Array(32)], [{ node: new Uint8Array(32), cid: new Uint8Array(32), fingerprint: new Uint8Array(3), stateHash: new Uint8Array(32), signature: new Uint8Array(64) }]]) {
    const score = scores.view(b.key.publicKey).score;
    listen(await attestRequest(conn, { meshId, storeId }, (s) => s.stream.send(pack({ t: 'attestations', storeId, attestations }))));
    expect(scores.view(b.key.publicKey).score).toBeGreaterThan(score);
  }
  expect(a.network!.sync.metrics.badFrames).toBe(badFrames + 2);

  // Well-formed, but one signature does not verify (a genuine one beside it): nothing is stored, the sender is charged.
  const { storeId: _, ...genuine } = signAttestation(NodeKey.generate(), { storeId, cid: new Uint8Array(32).fill(1) as never, fingerprint: new Uint8Array(16), stateHash: new Uint8Array(32) });
  const forged = { ...genuine, stateHash: new Uint8Array(32).fill(2) };
  const score = scores.view(b.key.publicKey).score;
  listen(await attestRequest(conn, { meshId, storeId }, (s) => s.send({ t: 'attestations', storeId, attestations: [genuine, forged] })));
  expect(scores.view(b.key.publicKey).score).toBeGreaterThan(score);
  // Attestations of another store than the request names.
  listen(await attestRequest(conn, { meshId, storeId }, (s) => s.send({ t: 'attestations', storeId: a.meshId() as StoreId, attestations: [] })));
  expect(errors).toEqual(['E_STREAM_RESET', 'E_STREAM_RESET', 'E_STREAM_RESET', 'E_STREAM_RESET']);
  expect(a.upgrades.verdicts.attestations(storeId)).toHaveLength(held);
  expect(a.upgrades.verdicts.alarmsRaised).toBe(0);

  // a keeps serving: a sync with the exchange after it, from b, leaves both with each other's attestations.
  expect(await b.sync('clicks')).toMatchObject({ peers: 1 });
  expect(holders(a, storeId)).toEqual([toHex(a.key.publicKey), toHex(b.key.publicKey)].sort());
  expect(a.upgrades.verdicts.alarmsRaised).toBe(0);
});
