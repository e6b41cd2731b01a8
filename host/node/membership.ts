// Invites, joins and revocation (DESIGN §6). The inviter writes only a hash of the secret; the joiner sends the
// secret over the authenticated, encrypted connection; any member holding the invite checks it, writes PeerAdd and
// InviteConsume, and the joiner clones the root store and its children. A revoke names, per store, the revoked
// node's tip as the revoker has witnessed it, and closes its connections.
import { encodeSystemOp } from '../kernel/index.js';
import { fromHex, LatticeError, toHex, type NodeId, type StoreId } from '../model/index.js';
import type { Join, JoinReply } from '../net/wire.js';
import { decodeInviteToken, encodeInviteToken, inviteSecretHash, newInviteSecret } from './invite.js';
import { idsByPrefix } from './id-prefix.js';
import { checkInvite } from './mesh.js';
import type { Node } from './node.js';
import { ROOT_STORE_TYPE } from './root-store.js';
import { withNetwork } from './start-network.js';

const DEFAULT_INVITE_TTL_S = 24 * 3600;

export async function invite(node: Node, opts: { expiresInSec?: number; mesh?: string }): Promise<{ token: string; expires: string }> {
  const meshId = node.meshId(opts.mesh);
  const ttl = opts.expiresInSec ?? DEFAULT_INVITE_TTL_S;
  if (!Number.isFinite(ttl) || ttl <= 0) throw new LatticeError('E_BAD_ARGUMENT', 'an invite expires after a positive number of seconds');
  const secret = newInviteSecret();
  const expires = Date.now() + Math.round(ttl * 1000);
  const root = await node.store(meshId);
  await root.submit(encodeSystemOp({ op: 'InviteCreate', secretHash: inviteSecretHash(secret), expires }));
  const token = encodeInviteToken({ meshId, inviter: node.key.publicKey, addrs: node.reachableAddrs(), secret });
  return { token, expires: new Date(expires).toISOString() };
}

// Admissions are serialized per node, so two joins racing with one token cannot both pass the check.
const admitting = new WeakMap<Node, Promise<unknown>>();

/** The inviter's side of a join: checks the secret against an open invite and adds the joiner. */
export function admitJoiner(node: Node, joiner: NodeId, join: Join, seenAddrs: string[]): Promise<JoinReply> {
  const run = (admitting.get(node) ?? Promise.resolve()).then(async (): Promise<JoinReply> => {
    const meshId = join.meshId;
    if (!node.config().meshes.some((m) => m.meshId === toHex(meshId))) {
      throw new LatticeError('E_INVITE_INVALID', 'this node is not in the mesh the invite names');
    }
    const view = node.mesh(meshId);
    const secretHash = inviteSecretHash(join.proof);
    checkInvite(view, secretHash, Date.now());
    const root = await node.store(meshId);
    const addrs = [...new Set([...(join.addrs ?? []), ...seenAddrs])].slice(0, 16);
    if (view.status(joiner) !== 'active') await root.submit(encodeSystemOp({ op: 'PeerAdd', node: joiner, addrs }));
    await root.submit(encodeSystemOp({ op: 'InviteConsume', secretHash, node: joiner }));
    node.rememberPeer(joiner, addrs);
    return { t: 'join-ok', meshId, rootStoreId: meshId };
  });
  admitting.set(node, run.catch(() => undefined));
  return run;
}

/** The joiner's side: connect to the inviter, prove the secret, clone the root store and its children. */
export async function join(node: Node, token: string): Promise<{ meshId: string; stores: number }> {
  const t = decodeInviteToken(token);
  if (toHex(t.inviter) === toHex(node.key.publicKey)) throw new LatticeError('E_INVITE_INVALID', 'this invite was made by this node');
  return withNetwork(node, async (net) => {
    const conn = await net.connect(t.inviter, t.addrs);
    const reply = await net.sync.requestJoin(conn, { t: 'join', meshId: t.meshId, proof: t.secret, addrs: node.reachableAddrs() });
    node.rememberPeer(t.inviter, t.addrs);
    const meshId = reply.rootStoreId;
    if (!node.manager.peek(meshId)) {
      await node.manager.create({ storeId: meshId, storeType: ROOT_STORE_TYPE, meshId });
    }
    const root = await node.store(meshId);
    net.attach(root);
    node.addMesh(meshId);
    await net.cloneFrom(conn, root);
    await root.recheckHeld();
    await net.discoverChildren(meshId);
    const stores = node.mesh(meshId).children().filter((c) => !c.row.removed).length;
    return { meshId: toHex(meshId), stores };
  });
}

export async function revoke(node: Node, nodeIdHex: string, mesh?: string): Promise<{ ok: boolean; lastValidTip: Record<string, string> }> {
  const meshId = node.meshId(mesh);
  const target = memberById(node, meshId, nodeIdHex);
  if (toHex(target) === toHex(node.key.publicKey)) throw new LatticeError('E_BAD_ARGUMENT', 'a node cannot revoke itself');
  if (node.mesh(meshId).status(target) === 'unknown') throw new LatticeError('E_BAD_ARGUMENT', `${nodeIdHex} is not a member of this mesh`);
  const lastValidTip: Record<string, Uint8Array> = {};
  for (const meta of node.manager.list()) {
    if (toHex(meta.meshId) !== toHex(meshId)) continue;
    const tip = (await node.store(meta.storeId)).heads().find((h) => toHex(h.author) === toHex(target));
    if (tip) lastValidTip[toHex(meta.storeId)] = tip.hash;
  }
  const root = await node.store(meshId as StoreId);
  await root.submit(encodeSystemOp({ op: 'PeerRevoke', node: target, lastValidTip }));
  for (const c of node.network?.transport.connections() ?? []) if (toHex(c.remoteNodeId) === toHex(target)) await c.close('revoked');
  return { ok: true, lastValidTip: Object.fromEntries(Object.entries(lastValidTip).map(([k, v]) => [k, toHex(v)])) };
}

/** A member of the mesh by node id or unambiguous id prefix (peer list and history print shortened ids). */
function memberById(node: Node, meshId: StoreId, text: string): NodeId {
  const found = idsByPrefix(text, node.mesh(meshId).peers().map((p) => p.nodeId), 'peer');
  if (found.length === 0) throw new LatticeError('E_BAD_ARGUMENT', `no member of this mesh has an id starting with ${text.toLowerCase()}`);
  if (found.length > 1) throw new LatticeError('E_BAD_ARGUMENT', `${text} matches ${found.length} members of this mesh: use a longer id`, { matches: found });
  return fromHex(found[0]!, 32) as NodeId;
}
