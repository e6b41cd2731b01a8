// Ed25519 node keys (DESIGN §2): RFC 8032 signing, strict verification that never throws, and purpose separation
// between intention signatures (over a bare hash) and every other signature (over a purpose-tagged hash).
import { describe, expect, it } from 'vitest';
import {
  blake3,
  fromHex,
  NodeKey,
  purposeHash,
  signIntention,
  toHex,
  verifyFor,
  verifyIntentionSignature,
  verifySignature,
  type Hash,
  type StoreId,
} from '../../../host/model/index.js';
import { latticeError, prng } from './raw.js';

// RFC 8032 §7.1, tests 1 and 2.
const RFC = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pub: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    pub: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const key = NodeKey.fromSeed(new Uint8Array(32).fill(0x42));
const other = NodeKey.fromSeed(new Uint8Array(32).fill(0x43));
const msg = blake3(new TextEncoder().encode('a message'));

describe('sign and verify', () => {
  for (const [n, v] of RFC.entries()) {
    it(`RFC 8032 test ${n + 1}: seed → public key and signature`, () => {
      const k = NodeKey.fromSeed(fromHex(v.seed));
      expect(toHex(k.publicKey)).toBe(v.pub);
      expect(toHex(k.sign(fromHex(v.msg)))).toBe(v.sig);
      expect(verifySignature(fromHex(v.pub), fromHex(v.msg), fromHex(v.sig))).toBe(true);
    });
  }

  it('a signature verifies under its key and message only', () => {
    const sig = key.sign(msg);
    expect(sig).toHaveLength(64);
    expect(verifySignature(key.publicKey, msg, sig)).toBe(true);
    expect(verifySignature(other.publicKey, msg, sig)).toBe(false);
    const msg2 = msg.slice();
    msg2[0]! ^= 1;
    expect(verifySignature(key.publicKey, msg2, sig)).toBe(false);
  });

  it('signing is deterministic (RFC 8032), so vectors can pin signatures', () => {
    expect(key.sign(msg)).toEqual(key.sign(msg));
  });

  it('keys from the same seed agree; the seed is kept as a copy', () => {
    const seed = new Uint8Array(32).fill(7);
    const a = NodeKey.fromSeed(seed);
    seed.fill(8);
    expect(a.seed).toEqual(new Uint8Array(32).fill(7));
    expect(NodeKey.fromSeed(new Uint8Array(32).fill(7)).publicKey).toEqual(a.publicKey);
  });

  it('generated keys differ and work', () => {
    const a = NodeKey.generate();
    const b = NodeKey.generate();
    expect(a.publicKey).not.toEqual(b.publicKey);
    expect(verifySignature(a.publicKey, msg, a.sign(msg))).toBe(true);
  });

  it('a seed that is not 32 bytes is E_BAD_ARGUMENT', () => {
    for (const n of [0, 31, 33, 64]) latticeError(() => NodeKey.fromSeed(new Uint8Array(n)), 'E_BAD_ARGUMENT');
  });

  it('verification is strict: S + L (a malleated signature) is refused', () => {
    const sig = key.sign(msg);
    const s = sig.subarray(32).reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
    expect(s < L).toBe(true);
    let t = s + L;
    const malleated = sig.slice();
    for (let i = 32; i < 64; i++) {
      malleated[i] = Number(t & 0xffn);
      t >>= 8n;
    }
    expect(verifySignature(key.publicKey, msg, malleated)).toBe(false);
  });
});

describe('malformed input is false, never a throw', () => {
  const sig = key.sign(msg);
  const cases: [string, Uint8Array, Uint8Array][] = [
    ['an empty public key', new Uint8Array(0), sig],
    ['a 31-byte public key', key.publicKey.subarray(0, 31), sig],
    ['a 33-byte public key', new Uint8Array([...key.publicKey, 0]), sig],
    ['an all-0xff public key (not a canonical point)', new Uint8Array(32).fill(0xff), sig],
    ['an all-zero public key', new Uint8Array(32), sig],
    ['a 63-byte signature', key.publicKey, sig.subarray(0, 63)],
    ['a 65-byte signature', key.publicKey, new Uint8Array([...sig, 0])],
    ['an empty signature', key.publicKey, new Uint8Array(0)],
    ['an all-0xff signature', key.publicKey, new Uint8Array(64).fill(0xff)],
  ];
  for (const [what, pub, s] of cases) {
    it(what, () => {
      expect(verifySignature(pub, msg, s)).toBe(false);
      expect(verifyFor(pub, 'witness-head', msg, s)).toBe(false);
    });
  }

  it('random 32-byte public keys and signatures (seeded): false every time, no throw', () => {
    const rand = prng(31);
    for (let k = 0; k < 500; k++) expect(verifySignature(rand.bytes(32), msg, rand.bytes(64))).toBe(false);
  });

  it('a good signature still verifies after a malformed key went through the cache', () => {
    verifySignature(new Uint8Array(32).fill(0xff), msg, sig);
    expect(verifySignature(key.publicKey, msg, sig)).toBe(true);
  });
});

describe('purpose separation', () => {
  const payload = prng(37).bytes(32); // 32 bytes: exactly the shape of an intention hash

  it('signFor verifies with verifyFor under the same purpose only', () => {
    const sig = key.signFor('witness-head', payload);
    expect(verifyFor(key.publicKey, 'witness-head', payload, sig)).toBe(true);
    expect(verifyFor(key.publicKey, 'attestation', payload, sig)).toBe(false);
    expect(verifyFor(other.publicKey, 'witness-head', payload, sig)).toBe(false);
  });

  it('a signFor signature does not verify as a bare (intention) signature of the same payload', () => {
    const sig = key.signFor('witness-head', payload);
    expect(verifySignature(key.publicKey, payload, sig)).toBe(false);
  });

  it('a signFor signature over an intention hash does not pass as that intention\'s signature', () => {
    const signed = signIntention(key, {
      author: key.publicKey,
      timestamp: { wallMs: 1, counter: 0 },
      storeId: new Uint8Array(16) as StoreId,
      storePrev: new Uint8Array(32) as Hash,
      condition: [],
      ops: new Uint8Array([0]),
    });
    expect(verifyIntentionSignature(signed)).toBe(true);
    const forged = { ...signed, signature: key.signFor('join-proof', signed.hash) };
    expect(verifyIntentionSignature(forged)).toBe(false);
  });

  it('a bare signature does not verify as a purpose signature of the same payload', () => {
    const sig = key.sign(payload);
    expect(verifyFor(key.publicKey, 'witness-head', payload, sig)).toBe(false);
  });

  it('purposeHash is BLAKE3("lattice/<purpose>/v1" ‖ payload), distinct per purpose and from the bare hash', () => {
    expect(purposeHash('x', payload)).toEqual(blake3(new TextEncoder().encode('lattice/x/v1'), payload));
    expect(purposeHash('a', payload)).not.toEqual(purposeHash('b', payload));
    expect(purposeHash('a', payload)).not.toEqual(blake3(payload));
  });
});
