// The root store's system ops (DESIGN §5, §6) as a pure core: strict decoding and deterministic application to a
// small table, whatever order concurrent ops arrive in. Membership: a PeerAdd makes a node a member; a PeerRevoke
// wins over any add and names, per store, the last valid tip of the revoked author (LWW among revokes). Invites,
// children and the module registry are LWW entries on (hlc, author, hash).
import { compareBytes, compareHlc, toHex, type Hash, type Hlc, type NodeId } from '../model/index.js';
import { bytesOf, str, strict, stringList, uint } from './schema.js';

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

const tipMap = (v: unknown): v is Record<string, Uint8Array> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) &&
  Object.entries(v).length <= 4096 &&
  Object.entries(v).every(([k, h]) => /^[0-9a-f]{32}$/.test(k) && h instanceof Uint8Array && h.length === 32);

/** Strictly decodes a root op map; throws E_MALFORMED_SYSTEM_OP. */
export function decodeRootOp(obj: Record<string, unknown>): RootOp {
  const op = obj.op as RootOpName;
  switch (op) {
    case 'PeerAdd':
      return { op, ...strict(op, obj, { node: bytesOf(32), addrs: { optional: stringList(16) } }) };
    case 'PeerRevoke':
      return { op, ...strict(op, obj, { node: bytesOf(32), lastValidTip: tipMap }) };
    case 'InviteCreate':
      return { op, ...strict(op, obj, { secretHash: bytesOf(32), expires: uint }) };
    case 'InviteConsume':
      return { op, ...strict(op, obj, { secretHash: bytesOf(32), node: bytesOf(32) }) };
    case 'ChildAdd':
      return { op, ...strict(op, obj, { storeId: bytesOf(16), storeType: str(128), name: str(128) }) };
    case 'ChildRemove':
      return { op, ...strict(op, obj, { storeId: bytesOf(16) }) };
    case 'ModulePublish':
      return { op, ...strict(op, obj, { storeType: str(128), cid: bytesOf(32), size: uint }) };
    default:
      return strict(String(op), { unknown: true }, {}) as never;
  }
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
