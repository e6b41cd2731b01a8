// Authorization by mesh membership (DESIGN §6), decided from the root store's history so every node decides the
// same whatever the arrival order: membership is `resolveMembership` (root-ops.ts) of the root store's PeerAdd and
// PeerRevoke ops. An author with a valid PeerAdd is valid; one with none yet floats until it arrives (the node
// rechecks held intentions when the root store changes); one whose PeerAdds are all invalid, and a revoked author
// beyond the last valid tip a counting PeerRevoke names for this store, are witnessed as rejected (E_UNAUTHORIZED,
// the kernel's 'reject-witness'), so every node holds those intentions and releases what depends on them. A root
// change that rejects what this node already applied marks it the same way, one that makes a marked intention
// valid again clears its mark, and the store re-projects (`reauthorizeRevoked`, called by network.ts), so every
// delivery order ends with the same log and the same state.
import { decodeSystemOp, type AuthorizeVerdict, type StateMachine, type StoreMeta } from '../kernel/index.js';
import {
  bytesEqual, decodeOps, fromHex, isZero, REJECTION, toHex, type Hash, type Hlc, type Intention, type NodeId, type SignedIntention, type StoreId,
} from '../model/index.js';
import type { Node } from './node.js';
import { ROOT_STORE_TYPE } from './root-store.js';
import { decodeRootOp, resolveMembership, stampKey, type MembershipOp, type Resolution } from './root-ops.js';

const STORE_PREV = 60; // author 32 ‖ wallMs 8 ‖ counter 4 ‖ storeId 16
const MAX_WALK = 1_000_000;

/** Chains walked to their start, per node and `storeId/tip`: a chain never changes once all of it is here. */
const chains = new WeakMap<Node, Map<string, Set<string>>>();
/** Longer chains are walked each time rather than kept (about 100 bytes per link). */
const MAX_CACHED_CHAIN = 200_000;

/** 'ok' when `hash` is the tip or on the author's chain behind it, 'beyond' when not, 'unknown' when a link is missing. */
export function onChainOf(node: Node, storeId: StoreId, tipHex: string, hash: Hash): 'ok' | 'beyond' | 'unknown' {
  const want = toHex(hash);
  if (tipHex === want) return 'ok';
  let byChain = chains.get(node);
  if (!byChain) chains.set(node, (byChain = new Map()));
  const key = `${toHex(storeId)}/${tipHex}`;
  const known = byChain.get(key);
  if (known) return known.has(want) ? 'ok' : 'beyond';
  const store = node.openedStore(storeId);
  if (!store) return 'unknown';
  // Walk the whole chain once (a re-authorization asks about every intention of the author against the same tip).
  const links = new Set<string>([tipHex]);
  let found = false;
  let cur = fromHex(tipHex, 32);
  for (let n = 0; n < MAX_WALK; n++) {
    const s = store.getSigned(cur as Hash);
    if (!s) return found ? 'ok' : 'unknown';
    const prev = s.subarray(STORE_PREV, STORE_PREV + 32);
    if (isZero(prev)) break;
    const prevHex = toHex(prev);
    if (prevHex === want) found = true;
    if (links.size < MAX_CACHED_CHAIN) links.add(prevHex);
    cur = prev;
  }
  if (links.size < MAX_CACHED_CHAIN) byChain.set(key, links);
  return found ? 'ok' : 'beyond';
}

interface MeshLog {
  /** Root-store seq read so far. */
  seq: number;
  creator: string | undefined;
  ops: MembershipOp[];
  hashes: Set<string>;
  resolution?: Resolution;
}

// Per node and mesh: the root store's membership ops read so far (the log only grows) and their resolution, kept
// until the root store witnesses more.
const logs = new WeakMap<Node, Map<string, MeshLog>>();

function meshLog(node: Node, meshId: StoreId): MeshLog | undefined {
  const root = node.openedStore(meshId);
  if (!root || root.seq === 0) return undefined;
  let byMesh = logs.get(node);
  if (!byMesh) logs.set(node, (byMesh = new Map()));
  let log = byMesh.get(toHex(meshId));
  if (!log) {
    const genesis = root.info().genesis;
    if (genesis === null) return undefined;
    const signed = root.getSigned(genesis);
    log = { seq: 0, creator: signed ? toHex(signed.subarray(0, 32)) : undefined, ops: [], hashes: new Set() };
    byMesh.set(toHex(meshId), log);
  }
  // Only committed intentions (the in-memory seq), so an aborted batch never leaves ops here.
  if (root.seq > log.seq) {
    for (const e of root.history({ from: log.seq + 1, to: root.seq, limit: Number.MAX_SAFE_INTEGER })) {
      const op = membershipOp(e.ops, e.hash, e.author, e.hlc);
      if (op && !log.hashes.has(op.hash)) {
        log.ops.push(op);
        log.hashes.add(op.hash);
      }
    }
    log.seq = root.seq;
    delete log.resolution;
  }
  return log;
}

/** A PeerAdd or PeerRevoke of the root store, or undefined (other ops, malformed ones). */
function membershipOp(ops: Uint8Array, hash: Hash, author: NodeId, hlc: Hlc): MembershipOp | undefined {
  try {
    const env = decodeOps(ops);
    if (env.kind !== 'system') return undefined;
    const raw = decodeSystemOp(env.body);
    if (raw.op !== 'PeerAdd' && raw.op !== 'PeerRevoke') return undefined;
    const op = decodeRootOp(raw);
    const base = { hash: toHex(hash), author: toHex(author), stamp: stampKey({ hash, author, hlc }) };
    if (op.op === 'PeerAdd') return { ...base, kind: 'add', node: toHex(op.node) };
    if (op.op === 'PeerRevoke') return { ...base, kind: 'revoke', node: toHex(op.node), tips: Object.fromEntries(Object.entries(op.lastValidTip).map(([s, h]) => [s, toHex(h)])) };
    return undefined;
  } catch {
    return undefined;
  }
}

function resolve(node: Node, meshId: StoreId, log: MeshLog, extra?: MembershipOp): Resolution {
  const rootHex = toHex(meshId);
  const excludes = (r: MembershipOp, op: MembershipOp): boolean => {
    const tip = r.tips?.[rootHex];
    return !tip || onChainOf(node, meshId, tip, fromHex(op.hash, 32) as Hash) === 'beyond';
  };
  if (extra) return resolveMembership([...log.ops, extra], log.creator, excludes);
  return (log.resolution ??= resolveMembership(log.ops, log.creator, excludes));
}

/**
 * The verdict for `hash` by its author in the store `meta`, from the mesh's membership as the root store's log
 * resolves it (`resolveMembership`). A root-store PeerAdd or PeerRevoke not witnessed yet is resolved together
 * with the ops witnessed so far.
 */
function verdictOf(node: Node, meta: StoreMeta, intention: Intention, hash: Hash): AuthorizeVerdict {
  const log = meshLog(node, meta.meshId);
  if (!log) {
    // A root store's first intention is its genesis: its author is the mesh's creator and first member.
    return meta.storeType === ROOT_STORE_TYPE && isZero(intention.storePrev) ? 'ok' : 'float';
  }
  const inRoot = bytesEqual(meta.storeId, meta.meshId);
  const self = inRoot ? membershipOp(intention.ops, hash, intention.author, intention.timestamp) : undefined;
  const res = resolve(node, meta.meshId, log, self && !log.hashes.has(self.hash) ? self : undefined);
  const author = toHex(intention.author);
  const admission = res.admission(author);
  // A revoke naming a node that never was added gives it no room in our log.
  if (admission === 'unknown') return res.revokesOf(author).length > 0 && !res.hasAdds(author) ? 'reject' : 'float';
  // Every PeerAdd of the author is invalid (made by a revoked member beyond its tip, say): witnessed as rejected.
  if (admission === 'rejected') return 'reject-witness';
  let pending = false;
  for (const r of res.revokesOf(author)) {
    const tip = r.tips?.[toHex(meta.storeId)];
    if (!tip) return 'reject-witness';
    const on = onChainOf(node, meta.storeId, tip, hash);
    if (on === 'beyond') return 'reject-witness';
    if (on === 'unknown') pending = true;
  }
  if (pending) return 'float';
  // A revoke that lost to a concurrent one (see resolveMembership) takes no effect: witnessed as rejected.
  return self && !res.effective(self.hash) ? 'reject-witness' : 'ok';
}

export function authorizeIn(node: Node, meta: StoreMeta): (signed: SignedIntention, hash: Hash) => AuthorizeVerdict {
  return (signed, hash) => verdictOf(node, meta, signed.intention, hash);
}

/** What `reauthorizeRevoked` last settled, per caller memory and mesh: the membership op count and signatures. */
interface Settled {
  ops: number;
  signatures: Map<string, string>;
}
const settled = new WeakMap<Set<string>, Map<string, Settled>>();
/** The signature of a plain member: admitted, no counting revoke, every membership op of its own in effect. */
const PLAIN = 'member||';

/**
 * Everything the verdicts about `author`'s intentions depend on in a resolution (besides which chain links are
 * here): its admission, the counting revokes of it (each names its tips), and its own membership ops not in effect.
 */
function signatureOf(res: Resolution, author: string, ineffective: ReadonlyMap<string, string[]>): string {
  return `${res.admission(author)}|${res.revokesOf(author).map((r) => r.hash).join(',')}|${(ineffective.get(author) ?? []).join(',')}`;
}

/**
 * After a root store change: membership is a function of the root log's PeerAdd/PeerRevoke ops, but not a monotone
 * one (a later op can make a rejected intention valid again as well as reject a valid one). So in every store of
 * the mesh (the root store too) each author whose verdicts may have changed either way is re-authorized
 * (`Store.reauthorize`: the kernel asks again about every intention of the author, marks those now rejected, clears
 * the marks of those now valid, and re-projects the store if anything applied changed), as if this node had got the
 * ops in another order. The authors: those whose signature (admission, counting revokes, own ops not in effect)
 * differs from the one settled last time (a plain member's when nothing was settled yet), and every author with a
 * mark in the store. `done` is the caller's memory (one per network service); nothing runs while the membership ops
 * have not changed since the last settlement.
 */
export async function reauthorizeRevoked(node: Node, meshId: StoreId, done: Set<string>): Promise<void> {
  const log = meshLog(node, meshId);
  if (!log) return;
  const meshHex = toHex(meshId);
  let byMesh = settled.get(done);
  if (!byMesh) settled.set(done, (byMesh = new Map()));
  const last = byMesh.get(meshHex);
  if (last && last.ops === log.ops.length) return; // the log only grows: same count, same ops, same resolution
  const ops = log.ops.length;
  const res = resolve(node, meshId, log);
  const ineffective = new Map<string, string[]>();
  for (const op of log.ops) if (!res.effective(op.hash)) ineffective.set(op.author, [...(ineffective.get(op.author) ?? []), op.hash].sort());
  const signatures = new Map<string, string>();
  for (const a of new Set([...(log.creator ? [log.creator] : []), ...log.ops.flatMap((o) => [o.author, o.node])])) {
    const sig = signatureOf(res, a, ineffective);
    if (sig !== PLAIN) signatures.set(a, sig);
  }
  const changed = new Set<string>();
  for (const a of new Set([...signatures.keys(), ...(last?.signatures.keys() ?? [])])) {
    if ((signatures.get(a) ?? PLAIN) !== (last?.signatures.get(a) ?? PLAIN)) changed.add(a);
  }
  for (const meta of node.manager.list()) {
    if (!bytesEqual(meta.meshId, meshId)) continue;
    const store = await node.store(meta.storeId);
    const authors = new Set(changed);
    for (const a of store.markedAuthors()) authors.add(toHex(a));
    if (authors.size > 0) await store.reauthorize([...authors].map((a) => fromHex(a, 32) as NodeId));
  }
  byMesh.set(meshHex, { ops, signatures });
}

/**
 * The store's machine, except that an intention of a revoked author beyond its last valid tip is rejected
 * (E_UNAUTHORIZED, no writes), as the kernel projects the intentions it marked unauthorized. The marks decide the
 * kernel's projection; this guard gives the same answer where a machine runs outside it (the hot-fix replay).
 */
export function guardRevoked(node: Node, meta: StoreMeta, machine: StateMachine): StateMachine {
  return {
    get cid() {
      return machine.cid;
    },
    describe: () => machine.describe(),
    apply: (input, state) =>
      verdictOf(node, meta, input.intention, input.hash) === 'reject-witness'
        ? { code: REJECTION.E_UNAUTHORIZED, writes: [], fuel: 0, message: 'the author was revoked before this intention' }
        : machine.apply(input, state),
    command: (call, state, ctx) => machine.command(call, state, ctx),
    query: (call, state) => machine.query(call, state),
  };
}

