// The root store's system ops (DESIGN §5, §6) as a pure core: strict decoding and deterministic application to a
// small table, whatever order concurrent ops arrive in. Membership: a PeerAdd makes a node a member; a PeerRevoke
// wins over any add and names, per store, the last valid tip of the revoked author (LWW among revokes). Invites,
// children and the module registry are LWW entries on (hlc, author, hash).
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
