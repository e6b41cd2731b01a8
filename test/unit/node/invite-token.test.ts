// Invite tokens carry a checksum: any one changed character is E_INVITE_INVALID before any network use, an inviter
// id that is no Ed25519 public key is refused up front, and tokens of another format version say so.
import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { blake3, concatBytes, fromBase32, LatticeError, NodeKey, newStoreId, toBase32, type NodeId } from '../../../host/model/index.js';
import { bindingErrorText } from '../../../host/net/iroh-binding.js';
import { decodeInviteToken, encodeInviteToken, isEd25519PublicKey, newInviteSecret, TOKEN_PREFIX, type InviteToken } from '../../../host/node/invite.js';

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
const sample = (): InviteToken => ({ meshId: newStoreId(), inviter: NodeKey.generate().publicKey, addrs: ['127.0.0.1:4433', '[::1]:4433'], secret: newInviteSecret() });
const refusal = (token: string): LatticeError => {
  try {
    decodeInviteToken(token);
  } catch (e) {
    return e as LatticeError;
  }
  throw new Error('the token was accepted');
};
// A token with a valid checksum over any payload: what a buggy or hostile inviter could hand out.
const withChecksum = (payload: Uint8Array): string =>
  TOKEN_PREFIX + toBase32(concatBytes(payload, blake3(new TextEncoder().encode('lattice/invite-token/v2'), payload).subarray(0, 4)));

describe('invite tokens', () => {
  it('round-trip, ignoring case and line breaks', () => {
    const t = sample();
    const token = encodeInviteToken(t);
    expect(token.startsWith('lattice2')).toBe(true);
    expect(decodeInviteToken(token)).toEqual(t);
    const wrapped = token.toUpperCase().replace(/(.{40})/g, '$1\n  ');
    expect(decodeInviteToken(wrapped)).toEqual(t);
  });

  it('refuses every one-character change as corrupt', () => {
    const token = encodeInviteToken(sample());
    for (let i = TOKEN_PREFIX.length; i < token.length; i++) {
      const ch = token[i]!;
      const other = B32[(B32.indexOf(ch) + 1 + (i % 31)) % 32]!;
      const err = refusal(token.slice(0, i) + other + token.slice(i + 1));
      expect(err).toMatchObject({ code: 'E_INVITE_INVALID' });
      expect(err.message).toMatch(/^the invite token is corrupt/);
    }
    expect(refusal(token.slice(0, -3)).message).toMatch(/corrupt/);
    expect(refusal(token + 'a').message).toMatch(/corrupt/);
    expect(refusal(token.slice(0, 20) + '!' + token.slice(21)).message).toMatch(/corrupt/);
    expect(refusal(TOKEN_PREFIX).message).toMatch(/corrupt/);
  });

  it('refuses an inviter id that is not an Ed25519 public key, though the checksum matches', () => {
    const t = sample();
    let bad: Uint8Array = new Uint8Array(32);
    for (let i = 1; isEd25519PublicKey(bad); i++) bad = blake3(new Uint8Array([i]));
    const err = refusal(withChecksum(new Uint8Array(pack([t.meshId, bad, t.addrs, t.secret]))));
    expect(err).toMatchObject({ code: 'E_INVITE_INVALID' });
    expect(err.message).toMatch(/not a valid Ed25519 public key/);
    expect(refusal(withChecksum(new Uint8Array(pack([t.meshId, t.inviter, t.addrs])))).message).toMatch(/unknown layout/);
    expect(refusal(withChecksum(new Uint8Array(pack([t.meshId, t.inviter, [1], t.secret])))).message).toMatch(/malformed fields/);
  });

  it('names the version of a token of another format', () => {
    const old = 'lattice1' + toBase32(new Uint8Array(pack([1, newStoreId(), NodeKey.generate().publicKey, [], newInviteSecret()])));
    expect(refusal(old)).toMatchObject({ code: 'E_INVITE_INVALID', message: expect.stringMatching(/older version of Lattice/) });
    expect(refusal('lattice9abc').message).toMatch(/newer version of Lattice/);
    expect(refusal('hello').message).toMatch(/starts with lattice2/);
    expect(refusal('').code).toBe('E_INVITE_INVALID');
  });

  it('isEd25519PublicKey accepts real keys and refuses off-curve and non-canonical encodings', () => {
    for (let i = 0; i < 50; i++) expect(isEd25519PublicKey(NodeKey.generate().publicKey)).toBe(true);
    const offCurve = fromBase32(toBase32(new Uint8Array(32).fill(0xff)));
    expect(isEd25519PublicKey(offCurve)).toBe(false); // y ≥ p
    const zeroX = new Uint8Array(32);
    zeroX[0] = 1; // y = 1: x = 0, valid with sign bit 0 only
    expect(isEd25519PublicKey(zeroX)).toBe(true);
    zeroX[31] = 0x80;
    expect(isEd25519PublicKey(zeroX)).toBe(false);
    expect(isEd25519PublicKey(new Uint8Array(31) as NodeId)).toBe(false);
  });
});

describe('binding error text', () => {
  it('keeps the chain of causes and drops backtraces and Rust source paths', () => {
    const connect = new Error(
      'ConnectError::Connecting (/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/iroh-1.0.2/src/endpoint.rs:1060:20)\nCaused by:\n' +
        '    ConnectingError::ConnectionError (/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/core/src/task/poll.rs:258:39)\n' +
        '    timed out\n\nStack backtrace:\n   0: <anyhow::Error>::msg::<alloc::string::String>\n  10: start_thread\n             at ./nptl/pthread_create.c:442:8\n',
    );
    expect(bindingErrorText(connect)).toBe('ConnectError::Connecting: ConnectingError::ConnectionError: timed out');
    expect(bindingErrorText(new Error('data is not a valid public key\n\nStack backtrace:\n   0: <anyhow::Error as core::convert::From<iroh_base::key::KeyParsingError>>::from'))).toBe(
      'data is not a valid public key',
    );
    expect(bindingErrorText('closed by peer: bye')).toBe('closed by peer: bye');
    expect(bindingErrorText(new Error('x'.repeat(1000))).length).toBeLessThanOrEqual(300);
  });
});
