// Decoding refuses every malformed intention with a typed LatticeError and the right code (DESIGN §2, STYLE 7, 9).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeIntention,
  decodeSigned,
  encodeIntention,
  encodeSigned,
  fromHex,
  MAX_DEPS,
  MAX_PAYLOAD,
  NodeKey,
  signIntention,
  type Hash,
  type Intention,
  type StoreId,
} from '../../../host/model/index.js';
import { ascendingDeps, latticeError, rawIntention } from './raw.js';

interface Vector { name: string; bytes: string; signedBytes: string }
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/intention-vectors.json'), 'utf8')) as { vectors: Vector[] };
const vector = (name: string): Vector => fixture.vectors.find((v) => v.name === name)!;

const alice = NodeKey.fromSeed(new Uint8Array(32).fill(1));
const bob = NodeKey.fromSeed(new Uint8Array(32).fill(2));
const base: Intention = {
  author: alice.publicKey,
  timestamp: { wallMs: 1_700_000_000_000, counter: 3 },
  storeId: new Uint8Array(16).fill(0xaa) as StoreId,
  storePrev: new Uint8Array(32).fill(0x33) as Hash,
  condition: ascendingDeps(3) as Hash[],
  ops: new Uint8Array([0, 9, 8, 7]),
};
const signedBytes = encodeSigned(signIntention(alice, base));
const encoding = encodeIntention(base);

describe('truncated input', () => {
  for (const name of ['several-deps', 'no-deps', 'empty-ops']) {
    it(`decodeIntention: every prefix of ${name} is E_MALFORMED_INTENTION (truncated)`, () => {
      const bytes = fromHex(vector(name).bytes);
      expect(decodeIntention(bytes).timestamp.wallMs).toBeGreaterThan(0);
      for (let n = 0; n < bytes.length; n++) latticeError(() => decodeIntention(bytes.subarray(0, n)), 'E_MALFORMED_INTENTION', 'truncated');
    });

    it(`decodeSigned: every prefix of signed ${name} is E_MALFORMED_INTENTION (truncated)`, () => {
      const bytes = fromHex(vector(name).signedBytes);
      expect(decodeSigned(bytes).signature).toHaveLength(64);
      for (let n = 0; n < bytes.length; n++) latticeError(() => decodeSigned(bytes.subarray(0, n)), 'E_MALFORMED_INTENTION', 'truncated');
    });
  }

  it('the prefix check also holds on a subarray at a non-zero offset of a larger buffer', () => {
    const big = new Uint8Array(encoding.length + 100);
    big.set(encoding, 50);
    expect(decodeIntention(big.subarray(50, 50 + encoding.length)).ops).toEqual(base.ops);
    latticeError(() => decodeIntention(big.subarray(50, 50 + encoding.length - 1)), 'E_MALFORMED_INTENTION', 'truncated');
  });
});

describe('trailing bytes', () => {
  it('one byte after an encoding is E_MALFORMED_INTENTION (trailing-bytes)', () => {
    const bytes = new Uint8Array([...encoding, 0]);
    latticeError(() => decodeIntention(bytes), 'E_MALFORMED_INTENTION', 'trailing-bytes');
  });

  it('a whole second intention after the first is trailing bytes', () => {
    latticeError(() => decodeIntention(new Uint8Array([...encoding, ...encoding])), 'E_MALFORMED_INTENTION', 'trailing-bytes');
  });

  it('a signed intention with an extra byte is refused', () => {
    latticeError(() => decodeSigned(new Uint8Array([...signedBytes, 0])), 'E_MALFORMED_INTENTION', 'trailing-bytes');
  });
});

describe('payload limit', () => {
  it(`ops of MAX_PAYLOAD (${MAX_PAYLOAD}) bytes decode`, () => {
    expect(decodeIntention(rawIntention({ ops: new Uint8Array(MAX_PAYLOAD) })).ops).toHaveLength(MAX_PAYLOAD);
  });

  it('ops of MAX_PAYLOAD + 1 bytes, all present, are E_PAYLOAD_TOO_LARGE', () => {
    const e = latticeError(() => decodeIntention(rawIntention({ ops: new Uint8Array(MAX_PAYLOAD + 1) })), 'E_PAYLOAD_TOO_LARGE');
    expect(e.details).toMatchObject({ size: MAX_PAYLOAD + 1, limit: MAX_PAYLOAD });
  });

  it('an ops length of 2^32 - 1 with nothing behind it is E_PAYLOAD_TOO_LARGE, without allocating it', () => {
    latticeError(() => decodeIntention(rawIntention({ opsLen: 0xffffffff, ops: new Uint8Array(0) })), 'E_PAYLOAD_TOO_LARGE');
  });

  it('encodeIntention refuses ops of MAX_PAYLOAD + 1 bytes with E_PAYLOAD_TOO_LARGE', () => {
    latticeError(() => encodeIntention({ ...base, ops: new Uint8Array(MAX_PAYLOAD + 1) }), 'E_PAYLOAD_TOO_LARGE');
  });
});

describe('deps limit', () => {
  it(`${MAX_DEPS} deps decode and round-trip`, () => {
    const bytes = rawIntention({ deps: ascendingDeps(MAX_DEPS) });
    const i = decodeIntention(bytes);
    expect(i.condition).toHaveLength(MAX_DEPS);
    expect(encodeIntention(i)).toEqual(bytes);
  });

  it(`${MAX_DEPS + 1} deps, all present, are E_TOO_MANY_DEPS`, () => {
    const e = latticeError(() => decodeIntention(rawIntention({ deps: ascendingDeps(MAX_DEPS + 1) })), 'E_TOO_MANY_DEPS');
    expect(e.details).toMatchObject({ count: MAX_DEPS + 1, limit: MAX_DEPS });
  });

  it('a dep count of 2^32 - 1 with no deps behind it is E_TOO_MANY_DEPS', () => {
    latticeError(() => decodeIntention(rawIntention({ count: 0xffffffff })), 'E_TOO_MANY_DEPS');
  });

  it(`encodeIntention refuses ${MAX_DEPS + 1} deps with E_TOO_MANY_DEPS`, () => {
    latticeError(() => encodeIntention({ ...base, condition: ascendingDeps(MAX_DEPS + 1) as Hash[] }), 'E_TOO_MANY_DEPS');
  });
});

describe('dep order', () => {
  const [a, b, c] = ascendingDeps(3) as [Uint8Array, Uint8Array, Uint8Array];

  it('deps out of order are E_MALFORMED_INTENTION (unsorted-deps)', () => {
    latticeError(() => decodeIntention(rawIntention({ deps: [a, c, b] })), 'E_MALFORMED_INTENTION', 'unsorted-deps');
  });

  it('deps in descending order are refused', () => {
    latticeError(() => decodeIntention(rawIntention({ deps: [c, b, a] })), 'E_MALFORMED_INTENTION', 'unsorted-deps');
  });

  it('deps that differ only in their last byte are ordered by it', () => {
    const lo = new Uint8Array(32).fill(7);
    const hi = new Uint8Array(32).fill(7);
    hi[31] = 8;
    expect(decodeIntention(rawIntention({ deps: [lo, hi] })).condition).toHaveLength(2);
    latticeError(() => decodeIntention(rawIntention({ deps: [hi, lo] })), 'E_MALFORMED_INTENTION', 'unsorted-deps');
  });

  it('a duplicate dep is E_MALFORMED_INTENTION (unsorted-deps: sorted means strictly ascending)', () => {
    latticeError(() => decodeIntention(rawIntention({ deps: [a, b, b, c] })), 'E_MALFORMED_INTENTION', 'unsorted-deps');
  });

  it('encodeIntention refuses unsorted and duplicate deps', () => {
    latticeError(() => encodeIntention({ ...base, condition: [b, a] as Hash[] }), 'E_MALFORMED_INTENTION', 'unsorted-deps');
    latticeError(() => encodeIntention({ ...base, condition: [a, a] as Hash[] }), 'E_MALFORMED_INTENTION', 'unsorted-deps');
  });
});

describe('other fields', () => {
  it('a condition tag other than 0 is E_MALFORMED_INTENTION (condition-tag)', () => {
    for (const tag of [1, 2, 0x80, 0xff]) latticeError(() => decodeIntention(rawIntention({ tag })), 'E_MALFORMED_INTENTION', 'condition-tag');
  });

  it('wallMs = 2^53 - 1 decodes exactly', () => {
    expect(decodeIntention(rawIntention({ wallMs: 2n ** 53n - 1n })).timestamp.wallMs).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('wallMs = 2^53 is E_MALFORMED_INTENTION (timestamp-range)', () => {
    latticeError(() => decodeIntention(rawIntention({ wallMs: 2n ** 53n })), 'E_MALFORMED_INTENTION', 'timestamp-range');
  });

  it('wallMs = 2^64 - 1 is E_MALFORMED_INTENTION (timestamp-range)', () => {
    latticeError(() => decodeIntention(rawIntention({ wallMs: 2n ** 64n - 1n })), 'E_MALFORMED_INTENTION', 'timestamp-range');
  });

  it('encodeIntention refuses a wallMs of 2^53, a negative or fractional one, and a counter above u32', () => {
    for (const wallMs of [2 ** 53, -1, 1.5, Number.NaN, Infinity]) {
      latticeError(() => encodeIntention({ ...base, timestamp: { wallMs, counter: 0 } }), 'E_MALFORMED_INTENTION', 'timestamp-range');
    }
    for (const counter of [2 ** 32, -1, 0.5]) {
      latticeError(() => encodeIntention({ ...base, timestamp: { wallMs: 1, counter } }), 'E_MALFORMED_INTENTION', 'timestamp-range');
    }
  });

  it('encodeIntention refuses fields of the wrong length', () => {
    latticeError(() => encodeIntention({ ...base, storeId: new Uint8Array(32) as StoreId }), 'E_MALFORMED_INTENTION', 'field-length');
    latticeError(() => encodeIntention({ ...base, storePrev: new Uint8Array(31) as Hash }), 'E_MALFORMED_INTENTION', 'field-length');
    latticeError(() => encodeIntention({ ...base, condition: [new Uint8Array(33) as Hash] }), 'E_MALFORMED_INTENTION', 'field-length');
  });

  it('decodeIntention refuses something that is not bytes with a LatticeError', () => {
    for (const junk of ['00'.repeat(200), null, undefined, 42, [1, 2, 3], new ArrayBuffer(200)]) {
      latticeError(() => decodeIntention(junk as unknown as Uint8Array), 'E_MALFORMED_INTENTION', 'type');
    }
  });

  it('decodeSigned refuses something that is not bytes with a LatticeError', () => {
    for (const junk of ['00'.repeat(200), null, undefined, 42, [1, 2, 3], new ArrayBuffer(200)]) {
      latticeError(() => decodeSigned(junk as unknown as Uint8Array), 'E_MALFORMED_INTENTION', 'type');
    }
  });
});

describe('signatures', () => {
  it('the untouched signed intention verifies (the control for the cases below)', () => {
    expect(decodeSigned(signedBytes).intention.timestamp).toEqual(base.timestamp);
  });

  it('a flipped bit in the signature is E_BAD_SIGNATURE, for every one of its 512 bits', () => {
    const sigStart = signedBytes.length - 64;
    for (let bit = 0; bit < 512; bit++) {
      const bytes = signedBytes.slice();
      bytes[sigStart + (bit >> 3)]! ^= 1 << (bit & 7);
      latticeError(() => decodeSigned(bytes), 'E_BAD_SIGNATURE');
    }
  });

  it('a flipped bit in the body (counter, storeId, a dep, the ops) is E_BAD_SIGNATURE', () => {
    const counterAt = 32 + 8;
    const storeIdAt = 32 + 8 + 4;
    const firstDepAt = 32 + 8 + 4 + 16 + 32 + 1 + 4;
    const lastOpsByte = signedBytes.length - 64 - 1;
    for (const at of [counterAt, storeIdAt, firstDepAt + 31, lastOpsByte]) {
      const bytes = signedBytes.slice();
      bytes[at]! ^= 0x01;
      expect(decodeSigned(bytes, { verify: false }).encoding).not.toEqual(encoding);
      latticeError(() => decodeSigned(bytes), 'E_BAD_SIGNATURE');
    }
  });

  it('the wrong author (bob signs an intention that names alice) is E_BAD_SIGNATURE', () => {
    const forged = signIntention(bob, base); // author field says alice, bob's key signed
    latticeError(() => decodeSigned(encodeSigned(forged)), 'E_BAD_SIGNATURE');
  });

  it('a valid signature under a swapped-in author field is E_BAD_SIGNATURE', () => {
    const bytes = signedBytes.slice();
    bytes.set(bob.publicKey, 0);
    latticeError(() => decodeSigned(bytes), 'E_BAD_SIGNATURE');
  });

  it('an author field that is not a valid Ed25519 point is E_BAD_SIGNATURE, not a crash', () => {
    const bytes = signedBytes.slice();
    bytes.fill(0xff, 0, 32);
    latticeError(() => decodeSigned(bytes), 'E_BAD_SIGNATURE');
  });

  it('verify: false decodes a badly signed intention (batch ingest verifies on a pool)', () => {
    const bytes = signedBytes.slice();
    bytes[bytes.length - 1]! ^= 0x80;
    expect(decodeSigned(bytes, { verify: false }).intention.ops).toEqual(base.ops);
  });
});

describe('decoded fields own their memory', () => {
  it('decodeIntention copies out of a Uint8Array input', () => {
    const input = encoding.slice();
    const i = decodeIntention(input);
    input.fill(0);
    expect(i.author).toEqual(alice.publicKey);
    expect(i.ops).toEqual(base.ops);
  });

  // Regression (fixed in 530725a): Buffer#slice returns a view, so decoding a Node Buffer (what LMDB and sockets
  // hand over) used to alias the input, and a reused buffer then rewrote the intention.
  it('decodeSigned copies out of a Node Buffer input (fields must not alias it)', () => {
    const input = Buffer.from(signedBytes);
    const s = decodeSigned(input);
    const signature = s.signature.slice();
    input.fill(7);
    expect(s.intention.author).toEqual(alice.publicKey);
    expect(s.intention.condition).toEqual(base.condition);
    expect(s.intention.ops).toEqual(base.ops);
    expect(s.encoding).toEqual(encoding);
    expect(s.signature).toEqual(signature);
  });

  it('decodeIntention copies out of a Node Buffer input', () => {
    const input = Buffer.from(encoding);
    const i = decodeIntention(input);
    input.fill(0);
    expect(i.author).toEqual(alice.publicKey);
    expect(i.storePrev).toEqual(base.storePrev);
    expect(i.ops).toEqual(base.ops);
  });
});
