// A mesh as its root store's tables say (DESIGN §6): who is a member, which invites are open, which child stores
// and modules exist. Read-only views over a RootTable; the same answers on every node with the same history.
import { LatticeError, toHex, type Hash, type NodeId, type StoreId } from '../model/index.js';
import type { ChildRow, InviteRow, ModuleRow, PeerRow, RootTable } from './root-ops.js';

export type PeerStatus = 'active' | 'revoked' | 'unknown';

export interface MeshView {
  peer(node: NodeId | string): PeerRow | undefined;
  status(node: NodeId | string): PeerStatus;
  peers(): { nodeId: string; row: PeerRow }[];
  invite(secretHash: Hash): InviteRow | undefined;
  children(): { storeId: string; row: ChildRow }[];
  child(storeId: StoreId | string): ChildRow | undefined;
  modules(): { storeType: string; row: ModuleRow }[];
  module(storeType: string): ModuleRow | undefined;
}

/** A table that can also list its keys under a prefix. */
export interface ScannableTable extends RootTable {
  keys(prefix: string): string[];
}

const hex = (v: Uint8Array | string): string => (typeof v === 'string' ? v : toHex(v));

export function meshView(table: ScannableTable, genesisAuthor: NodeId | undefined): MeshView {
  const view: MeshView = {
    peer: (node) => table.get(`peer/${hex(node)}`) as PeerRow | undefined,
    status(node) {
      const row = view.peer(node);
      if (row?.revoked) return 'revoked';
      // The root store's creator is a member from its genesis (the genesis carries the creator's PeerAdd).
      if (row?.added || (genesisAuthor && hex(node) === toHex(genesisAuthor))) return 'active';
      return 'unknown';
    },
    peers: () => {
      const out = table.keys('peer/').map((k) => ({ nodeId: k.slice(5), row: table.get(k) as PeerRow }));
      if (genesisAuthor && !out.some((p) => p.nodeId === toHex(genesisAuthor))) {
        out.push({ nodeId: toHex(genesisAuthor), row: {} });
      }
      return out.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    },
    invite: (h) => table.get(`invite/${toHex(h)}`) as InviteRow | undefined,
    children: () => table.keys('child/').map((k) => ({ storeId: k.slice(6), row: table.get(k) as ChildRow })),
    child: (id) => table.get(`child/${hex(id)}`) as ChildRow | undefined,
    modules: () => table.keys('module/').map((k) => ({ storeType: k.slice(7), row: table.get(k) as ModuleRow })),
    module: (t) => table.get(`module/${t}`) as ModuleRow | undefined,
  };
  return view;
}

/** Checks an invite secret's hash against the mesh: unknown, used and expired invites are typed errors. */
export function checkInvite(view: MeshView, secretHash: Hash, nowMs: number): InviteRow {
  const row = view.invite(secretHash);
  if (!row || row.expires === 0) throw new LatticeError('E_INVITE_INVALID', 'no such invite in this mesh (wrong secret or another mesh)');
  if (row.consumedBy !== undefined) throw new LatticeError('E_INVITE_USED', 'this invite was already used', { by: row.consumedBy });
  if (row.expires <= nowMs) throw new LatticeError('E_INVITE_EXPIRED', `this invite expired at ${new Date(row.expires).toISOString()}`);
  return row;
}
