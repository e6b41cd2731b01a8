// Invite tokens (DESIGN §6): `lattice1` + base32 of {meshId, inviter node id, inviter addresses, secret}. Only
// a hash of the secret is written to the root store; the joiner proves it knows the secret by sending it over the
// authenticated, encrypted QUIC connection, where the inviter (or any member) checks it against that hash.
import { randomBytes } from 'node:crypto';
import { pack, unpack } from 'msgpackr';
import { blake3, fromBase32, LatticeError, toBase32, type Hash, type NodeId, type StoreId } from '../model/index.js';

export const TOKEN_PREFIX = 'lattice1';

export interface InviteToken {
  meshId: StoreId;
  inviter: NodeId;
  addrs: string[];
  secret: Uint8Array;
}

export function newInviteSecret(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

export const inviteSecretHash = (secret: Uint8Array): Hash => blake3(new TextEncoder().encode('lattice/invite/v1'), secret);

export function encodeInviteToken(t: InviteToken): string {
  return TOKEN_PREFIX + toBase32(pack([1, t.meshId, t.inviter, t.addrs, t.secret]));
}

const isBytes = (v: unknown, n: number): v is Uint8Array => v instanceof Uint8Array && v.length === n;

export function decodeInviteToken(token: string): InviteToken {
  const text = token.trim();
  if (!text.startsWith(TOKEN_PREFIX)) throw new LatticeError('E_INVITE_INVALID', `an invite token starts with ${TOKEN_PREFIX}`);
  let v: unknown;
  try {
    v = unpack(Buffer.from(fromBase32(text.slice(TOKEN_PREFIX.length))));
  } catch {
    throw new LatticeError('E_INVITE_INVALID', 'the invite token is corrupt');
  }
  if (!Array.isArray(v) || v.length !== 5 || v[0] !== 1) throw new LatticeError('E_INVITE_INVALID', 'the invite token has an unknown layout');
  const [, meshId, inviter, addrs, secret] = v as unknown[];
  if (!isBytes(meshId, 16) || !isBytes(inviter, 32) || !isBytes(secret, 32) || !Array.isArray(addrs) || !addrs.every((a) => typeof a === 'string')) {
    throw new LatticeError('E_INVITE_INVALID', 'the invite token has malformed fields');
  }
  return { meshId: new Uint8Array(meshId) as StoreId, inviter: new Uint8Array(inviter) as NodeId, addrs: addrs as string[], secret: new Uint8Array(secret) };
}
