// The root store's system ops (DESIGN §5, §6) as a pure core: strict decoding and deterministic application to a
// small table, whatever order concurrent ops arrive in. Membership: a PeerAdd makes a node a member; a PeerRevoke
// wins over any add and names, per store, the last valid tip of the revoked author (the table shows the latest
// revoke; authorization applies every counting one, see `resolveMembership`, which decides membership as a function
// of the set of PeerAdd and PeerRevoke ops). Invites, children and the module registry are LWW entries on (hlc,
// author, hash).
import { compareBytes, compareHlc, LatticeError, toHex, type Hash, type Hlc, type NodeId } from '../model/index.js';
import { checkFields, isBytes, isText } from '../kernel/system-ops.js';

export const ROOT_OPS = ['PeerAdd', 'PeerRevoke', 'InviteCreate', 'InviteConsume', 'ChildAdd', 'ChildRemove', 'ModulePublish'] as const;
export type RootOpName = (typeof ROOT_OPS)[number];

/** Where an op came from: its intention. Also the LWW order. */
export interface OpStamp {
  hash: Hash;
  author: NodeId;
  hlc: Hlc;
}

/** The root store's tables, as the system layer stores them (values are msgpack-able). */
export interface RootTable {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface PeerRow {
  added?: { by: string; hlc: string; hash: string; addrs: string[] };
  revoked?: { by: string; hlc: string; hash: string; lastValidTip: Record<string, string> };
}
export interface InviteRow {
  expires: number;
  by: string;
  consumedBy?: string;
}
export interface ChildRow {
  storeType: string;
  name: string;
  removed: boolean;
  stamp: string;
}
export interface ModuleRow {
  cid: string;
  size: number;
  by: string;
  stamp: string;
}

/** A sortable LWW stamp: hlc, author, hash. Fixed-width hex, so string order is (hlc, author, hash) order. */
export function stampKey(s: OpStamp): string {
  return `${s.hlc.wallMs.toString(16).padStart(14, '0')}.${s.hlc.counter.toString(16).padStart(8, '0')}.${toHex(s.author)}.${toHex(s.hash)}`;
}

export type RootOp =
  | { op: 'PeerAdd'; node: Uint8Array; addrs?: string[] }
  | { op: 'PeerRevoke'; node: Uint8Array; lastValidTip: Record<string, Uint8Array> }
  | { op: 'InviteCreate'; secretHash: Uint8Array; expires: number }
  | { op: 'InviteConsume'; secretHash: Uint8Array; node: Uint8Array }
  | { op: 'ChildAdd'; storeId: Uint8Array; storeType: string; name: string }
  | { op: 'ChildRemove'; storeId: Uint8Array }
  | { op: 'ModulePublish'; storeType: string; cid: Uint8Array; size: number };

const isUint = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isAddrs = (v: unknown): boolean => Array.isArray(v) && v.length <= 16 && v.every((a) => typeof a === 'string' && a.length <= 256);
const isTipMap = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) &&
  Object.entries(v).length <= 4096 &&
  Object.entries(v).every(([k, h]) => /^[0-9a-f]{32}$/.test(k) && h instanceof Uint8Array && h.length === 32);

const SCHEMAS: Record<RootOpName, Record<string, (v: unknown) => boolean>> = {
  PeerAdd: { node: isBytes(32), 'addrs?': isAddrs },
  PeerRevoke: { node: isBytes(32), lastValidTip: isTipMap },
  InviteCreate: { secretHash: isBytes(32), expires: isUint },
  InviteConsume: { secretHash: isBytes(32), node: isBytes(32) },
  ChildAdd: { storeId: isBytes(16), storeType: isText(128), name: isText(128) },
  ChildRemove: { storeId: isBytes(16) },
  ModulePublish: { storeType: isText(128), cid: isBytes(32), size: isUint },
};

/** Strictly decodes a root op map (no unknown or missing fields); throws E_MALFORMED_SYSTEM_OP. */
export function decodeRootOp(obj: Record<string, unknown> & { op: string }): RootOp {
  if (!Object.prototype.hasOwnProperty.call(SCHEMAS, obj.op)) {
    throw new LatticeError('E_MALFORMED_SYSTEM_OP', `${obj.op} is not a root-store op`, { op: obj.op });
  }
  checkFields(obj, SCHEMAS[obj.op as RootOpName]);
  return obj as unknown as RootOp;
}

const lwwWins = (prev: string | undefined, next: string): boolean => prev === undefined || next > prev;

/** Applies a decoded root op. Deterministic and order-independent for concurrent ops. */
export function applyRootOp(op: RootOp, stamp: OpStamp, table: RootTable): void {
  const sk = stampKey(stamp);
  const by = toHex(stamp.author);
  switch (op.op) {
    case 'PeerAdd': {
      const key = `peer/${toHex(op.node)}`;
      const row = (table.get(key) as PeerRow | undefined) ?? {};
      // The earliest add is kept: later adds change nothing (membership is a grow-only set until revoked).
      if (!row.added || sk < row.added.hlc) row.added = { by, hlc: sk, hash: toHex(stamp.hash), addrs: op.addrs ?? [] };
      table.set(key, row);
      return;
    }
    case 'PeerRevoke': {
      const key = `peer/${toHex(op.node)}`;
      const row = (table.get(key) as PeerRow | undefined) ?? {};
      if (!row.revoked || lwwWins(row.revoked.hlc, sk)) {
        const lastValidTip = Object.fromEntries(Object.entries(op.lastValidTip).map(([s, h]) => [s, toHex(h)]));
        row.revoked = { by, hlc: sk, hash: toHex(stamp.hash), lastValidTip };
      }
      table.set(key, row);
      return;
    }
    case 'InviteCreate': {
      const key = `invite/${toHex(op.secretHash)}`;
      const row = table.get(key) as InviteRow | undefined;
      if (!row) table.set(key, { expires: op.expires, by } satisfies InviteRow);
      return;
    }
    case 'InviteConsume': {
      const key = `invite/${toHex(op.secretHash)}`;
      const row = (table.get(key) as InviteRow | undefined) ?? { expires: 0, by: '' };
      // Two concurrent consumes: the smaller node id is recorded, so every node records the same one.
      const node = toHex(op.node);
      if (row.consumedBy === undefined || node < row.consumedBy) row.consumedBy = node;
      table.set(key, row);
      return;
    }
    case 'ChildAdd':
    case 'ChildRemove': {
      const key = `child/${toHex(op.storeId)}`;
      const row = table.get(key) as ChildRow | undefined;
      if (row && !lwwWins(row.stamp, sk)) return;
      if (op.op === 'ChildAdd') table.set(key, { storeType: op.storeType, name: op.name, removed: false, stamp: sk } satisfies ChildRow);
      else table.set(key, { storeType: row?.storeType ?? '', name: row?.name ?? '', removed: true, stamp: sk } satisfies ChildRow);
      return;
    }
    case 'ModulePublish': {
      const key = `module/${op.storeType}`;
      const row = table.get(key) as ModuleRow | undefined;
      if (row && !lwwWins(row.stamp, sk)) return;
      table.set(key, { cid: toHex(op.cid), size: op.size, by, stamp: sk } satisfies ModuleRow);
      return;
    }
  }
}

/** Orders stamps as LWW does (exported for tests and queries). */
export function compareStamps(a: OpStamp, b: OpStamp): number {
  return compareHlc(a.hlc, b.hlc) || compareBytes(a.author, b.author) || compareBytes(a.hash, b.hash);
}

/** A membership op of the root store's log, as the resolution sees it (ids and hashes in hex). */
export interface MembershipOp {
  kind: 'add' | 'revoke';
  hash: string;
  author: string;
  /** `stampKey`: the canonical order. */
  stamp: string;
  /** The node added or revoked. */
  node: string;
  /** A revoke's last valid tips, per store (hex). */
  tips?: Record<string, string>;
}

export type Admission = 'member' | 'rejected' | 'unknown';

/** Membership as a function of the set of membership ops (DESIGN §6; docs/mesh.md "Membership as a function of the log"). */
export interface Resolution {
  /** 'member': the creator or added by a valid PeerAdd; 'rejected': has PeerAdds, all invalid; 'unknown': neither yet. */
  admission(node: string): Admission;
  /** The revokes that count against `node`, in canonical order. */
  revokesOf(node: string): MembershipOp[];
  /** Whether some PeerAdd (valid or not) names `node`. */
  hasAdds(node: string): boolean;
  /** For a membership op of the set: whether it takes effect (a valid add, a counting revoke). */
  effective(hash: string): boolean;
}

const MAX_ROUNDS = 8;

/**
 * Resolves membership from a set of ops, whatever order they arrived in. `excludes(r, op)` says whether revoke `r`'s
 * root-store tip for `op`'s author leaves `op` out (beyond it, or no tip named); a chain not all here is not excluded.
 * - A PeerAdd is valid when its author is a member and no counting revoke of the author excludes it; a node is a
 *   member when some PeerAdd of it is valid (or it created the mesh), rejected when all of its PeerAdds are invalid.
 * - A revoke whose author is a member counts unless a counting revoke of its author excludes it. Revokes that
 *   exclude each other (two members revoking each other concurrently) are decided in canonical order (hlc, author,
 *   hash): the earliest undecided one counts and the ones that exclude it do not.
 * Admission and revokes depend on each other; they are recomputed in turn until neither changes (at most
 * MAX_ROUNDS rounds, so the answer is a function of the set even where that does not settle).
 */
export function resolveMembership(ops: readonly MembershipOp[], creator: string | undefined, excludes: (r: MembershipOp, op: MembershipOp) => boolean): Resolution {
  const sorted = [...ops].sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0));
  const adds = sorted.filter((o) => o.kind === 'add');
  const revokes = sorted.filter((o) => o.kind === 'revoke');
  const memo = new Map<string, boolean>();
  const ex = (r: MembershipOp, op: MembershipOp): boolean => {
    const k = `${r.hash}/${op.hash}`;
    let v = memo.get(k);
    if (v === undefined) memo.set(k, (v = excludes(r, op)));
    return v;
  };
  const addsOf = new Map<string, MembershipOp[]>();
  for (const a of adds) addsOf.set(a.node, [...(addsOf.get(a.node) ?? []), a]);

  let counting = new Set<string>();
  let admitted = admit(counting);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = decide(admitted.status);
    const same = next.size === counting.size && [...next].every((h) => counting.has(h));
    counting = next;
    admitted = admit(counting);
    if (same) break;
  }

  function countingAgainst(node: string, set: Set<string>): MembershipOp[] {
    return revokes.filter((r) => r.node === node && set.has(r.hash));
  }

  function admit(set: Set<string>): { status: Map<string, Admission>; valid: Set<string> } {
    const status = new Map<string, Admission>();
    if (creator) status.set(creator, 'member');
    const valid = new Set<string>();
    const of = (n: string): Admission => status.get(n) ?? 'unknown';
    const excluded = (a: MembershipOp): boolean => countingAgainst(a.author, set).some((r) => ex(r, a));
    for (let changed = true; changed; ) {
      changed = false;
      for (const a of adds) {
        if (valid.has(a.hash) || of(a.author) !== 'member' || excluded(a)) continue;
        valid.add(a.hash);
        changed = true;
      }
      for (const [node, list] of addsOf) {
        if (of(node) !== 'unknown') continue;
        if (list.some((a) => valid.has(a.hash))) status.set(node, 'member');
        else if (list.every((a) => of(a.author) === 'rejected' || (of(a.author) === 'member' && excluded(a)))) status.set(node, 'rejected');
        else continue;
        changed = true;
      }
    }
    return { status, valid };
  }

  function decide(status: Map<string, Admission>): Set<string> {
    const cands = revokes.filter((r) => status.get(r.author) === 'member');
    const attackers = new Map(cands.map((r) => [r.hash, cands.filter((a) => a.node === r.author && ex(a, r))]));
    const state = new Map<string, 'in' | 'out'>();
    for (;;) {
      let progress = false;
      for (const r of cands) {
        if (state.has(r.hash)) continue;
        const att = attackers.get(r.hash)!;
        if (att.some((a) => state.get(a.hash) === 'in')) state.set(r.hash, 'out');
        else if (att.every((a) => a !== r && state.get(a.hash) === 'out')) state.set(r.hash, 'in');
        else if (att.includes(r)) state.set(r.hash, 'out'); // a revoke of its own author that leaves itself out
        else continue;
        progress = true;
      }
      if (progress) continue;
      const first = cands.find((r) => !state.has(r.hash));
      if (!first) break;
      state.set(first.hash, 'in');
      for (const a of attackers.get(first.hash)!) if (!state.has(a.hash)) state.set(a.hash, 'out');
    }
    return new Set(cands.filter((r) => state.get(r.hash) === 'in').map((r) => r.hash));
  }

  const final = counting;
  const valid = admitted.valid;
  const status = admitted.status;
  return {
    admission: (node) => status.get(node) ?? 'unknown',
    revokesOf: (node) => countingAgainst(node, final),
    hasAdds: (node) => addsOf.has(node),
    effective: (hash) => final.has(hash) || valid.has(hash),
  };
}
