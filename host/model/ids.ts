// Branded ids: bytes inside, hex in text. DESIGN §2.
import { randomBytes } from 'node:crypto';
import { fromHex, toHex } from './bytes.js';
import { LatticeError } from './errors.js';

export type Hash = Uint8Array & { readonly __brand: 'Hash' };
export type NodeId = Uint8Array & { readonly __brand: 'NodeId' };
export type StoreId = Uint8Array & { readonly __brand: 'StoreId' };
export type Cid = Uint8Array & { readonly __brand: 'Cid' };

export const HASH_LEN = 32;
export const NODE_ID_LEN = 32;
export const STORE_ID_LEN = 16;

export const ZERO_HASH = new Uint8Array(32) as Hash;
/** The CID recorded for native (non-Wasm) store types. */
export const ZERO_CID = new Uint8Array(32) as Cid;

function check(b: Uint8Array, len: number, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== len) {
    throw new LatticeError('E_BAD_ARGUMENT', `${what} must be ${len} bytes`);
  }
}

export const asHash = (b: Uint8Array): Hash => (check(b, HASH_LEN, 'hash'), b as Hash);
export const asNodeId = (b: Uint8Array): NodeId => (check(b, NODE_ID_LEN, 'node id'), b as NodeId);
export const asStoreId = (b: Uint8Array): StoreId => (check(b, STORE_ID_LEN, 'store id'), b as StoreId);
export const asCid = (b: Uint8Array): Cid => (check(b, HASH_LEN, 'cid'), b as Cid);

export const hashFromHex = (s: string): Hash => fromHex(s, HASH_LEN) as Hash;
export const nodeIdFromHex = (s: string): NodeId => fromHex(s, NODE_ID_LEN) as NodeId;
export const storeIdFromHex = (s: string): StoreId => fromHex(s.replace(/-/g, ''), STORE_ID_LEN) as StoreId;

/** A new random store id (UUID v4 bits). */
export function newStoreId(): StoreId {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return new Uint8Array(b) as StoreId;
}

/** A CID in text: `b3:<hex>`. */
export const cidToString = (cid: Cid): string => `b3:${toHex(cid)}`;

export function parseCid(text: string): Cid {
  const hex = text.startsWith('b3:') ? text.slice(3) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new LatticeError('E_BAD_ARGUMENT', `not a CID (b3:<64 hex>): ${text}`);
  return fromHex(hex, HASH_LEN) as Cid;
}

export const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);
