// Invite tokens (DESIGN §6): `lattice2` + base32 of (payload ‖ checksum), where payload is msgpack
// [meshId, inviter node id, inviter addresses, secret] and checksum is the first 4 bytes of BLAKE3 of
// "lattice/invite-token/v2" ‖ payload, so a token damaged in copying is refused before any network use. The digit
// in the prefix is the token format's version. Only a hash of the secret is written to the root store; the joiner
// proves it knows the secret by sending it over the authenticated, encrypted QUIC connection, where the inviter (or
// any member) checks it against that hash.
import { randomBytes } from 'node:crypto';
import { pack, unpack } from 'msgpackr';
import { blake3, bytesEqual, concatBytes, fromBase32, LatticeError, toBase32, type Hash, type NodeId, type StoreId } from '../model/index.js';

export const TOKEN_VERSION = 2;
export const TOKEN_PREFIX = `lattice${TOKEN_VERSION}`;
const CHECKSUM_LEN = 4;
const CHECKSUM_TAG = new TextEncoder().encode('lattice/invite-token/v2');
const MAX_TOKEN_CHARS = 4096;

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

const checksum = (payload: Uint8Array): Uint8Array => blake3(CHECKSUM_TAG, payload).subarray(0, CHECKSUM_LEN);

export function encodeInviteToken(t: InviteToken): string {
  const payload = new Uint8Array(pack([t.meshId, t.inviter, t.addrs, t.secret]));
  return TOKEN_PREFIX + toBase32(concatBytes(payload, checksum(payload)));
}

const isBytes = (v: unknown, n: number): v is Uint8Array => v instanceof Uint8Array && v.length === n;
const invalid = (message: string): LatticeError => new LatticeError('E_INVITE_INVALID', message);
const CORRUPT = 'the invite token is corrupt (damaged or cut short in copying): copy it again, or ask the inviter for a new one';

export function decodeInviteToken(token: string): InviteToken {
  // Base32 is case-insensitive, and a token wrapped over lines in a mail or chat is still the same token.
  const text = token.replace(/\s+/g, '').toLowerCase();
  // One digit of version: base32 has digits too, so a longer version could not be told from the body.
  const version = /^lattice(\d)/.exec(text);
  if (!version) throw invalid(`an invite token starts with ${TOKEN_PREFIX}`);
  if (Number(version[1]) !== TOKEN_VERSION) {
    const which = Number(version[1]) < TOKEN_VERSION ? 'an older' : 'a newer';
    throw invalid(`this invite token (lattice${version[1]}…) is from ${which} version of Lattice than this node's (${TOKEN_PREFIX}…): ask the inviter for a new one made by the same version`);
  }
  if (text.length > MAX_TOKEN_CHARS) throw invalid(CORRUPT);
  let bytes: Uint8Array;
  try {
    bytes = fromBase32(text.slice(TOKEN_PREFIX.length));
  } catch {
    throw invalid(CORRUPT);
  }
  if (bytes.length <= CHECKSUM_LEN) throw invalid(CORRUPT);
  const payload = bytes.subarray(0, bytes.length - CHECKSUM_LEN);
  if (!bytesEqual(checksum(payload), bytes.subarray(bytes.length - CHECKSUM_LEN))) throw invalid(CORRUPT);
  let v: unknown;
  try {
    v = unpack(Buffer.from(payload));
  } catch {
    throw invalid(CORRUPT);
  }
  // The checksum matched, so a bad layout is a token made wrong, not one damaged in transit.
  if (!Array.isArray(v) || v.length !== 4) throw invalid('the invite token has an unknown layout');
  const [meshId, inviter, addrs, secret] = v as unknown[];
  if (!isBytes(meshId, 16) || !isBytes(inviter, 32) || !isBytes(secret, 32) || !Array.isArray(addrs) || !addrs.every((a) => typeof a === 'string')) {
    throw invalid('the invite token has malformed fields');
  }
  if (!isEd25519PublicKey(inviter)) throw invalid('the invite token names an inviter whose node id is not a valid Ed25519 public key');
  return { meshId: new Uint8Array(meshId) as StoreId, inviter: new Uint8Array(inviter) as NodeId, addrs: addrs as string[], secret: new Uint8Array(secret) };
}

// RFC 8032 §5.1.3 point decoding, as far as deciding whether it succeeds: y < p, and x² = (y² − 1)/(d·y² + 1) has a
// root (Euler's criterion), with x = 0 only for sign bit 0. Iroh refuses such ids only deep inside connect.
const P = 2n ** 255n - 19n;
const modPow = (base: bigint, exp: bigint): bigint => {
  let r = 1n;
  let b = base % P;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
  }
  return r;
};
const D = ((P - 121665n) * modPow(121666n, P - 2n)) % P;

export function isEd25519PublicKey(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(key[i]!);
  const sign = y >> 255n;
  y &= (1n << 255n) - 1n;
  if (y >= P) return false;
  const y2 = (y * y) % P;
  const x2 = (((y2 - 1n + P) % P) * modPow((D * y2 + 1n) % P, P - 2n)) % P;
  if (x2 === 0n) return sign === 0n;
  return modPow(x2, (P - 1n) / 2n) === 1n;
}
