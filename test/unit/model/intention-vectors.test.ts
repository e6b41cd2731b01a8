// The codec against fixed vectors, both directions: fields → bytes, hash, signature; bytes → fields.
// test/fixtures/intention-vectors.json is the project's own (written once by scripts/gen-vectors.ts, never here);
// test/fixtures/borsh-intention-vectors.json comes from the Rust Lattice's Borsh layout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  blake3,
  decodeIntention,
  decodeSigned,
  encodeIntention,
  encodeSigned,
  fromHex,
  hashIntention,
  NodeKey,
  signIntention,
  toHex,
  verifySignature,
  type Hash,
  type Intention,
  type NodeId,
  type StoreId,
} from '../../../host/model/index.js';

const fixtures = join(import.meta.dirname, '../../fixtures');

interface FieldsHex {
  name: string;
  author: string;
  wallMs: number;
  counter: number;
  storeId: string;
  storePrev: string;
  condition: string[];
  ops?: string;
  opsRepeat?: { hex: string; length: number };
  bytes: string;
  hash: string;
}
interface OwnVector extends FieldsHex {
  key: string;
  signature: string;
  signedBytes: string;
}
interface OwnFixture {
  keys: Record<string, { seed: string; publicKey: string }>;
  vectors: OwnVector[];
}
interface BorshVector extends FieldsHex {
  seed?: string;
  signature?: string;
}

function opsOf(v: FieldsHex): Uint8Array {
  if (v.ops !== undefined) return fromHex(v.ops);
  const unit = fromHex(v.opsRepeat!.hex);
  return Uint8Array.from({ length: v.opsRepeat!.length }, (_, k) => unit[k % unit.length]!);
}

function intentionOf(v: FieldsHex): Intention {
  return {
    author: fromHex(v.author, 32) as NodeId,
    timestamp: { wallMs: v.wallMs, counter: v.counter },
    storeId: fromHex(v.storeId, 16) as StoreId,
    storePrev: fromHex(v.storePrev, 32) as Hash,
    condition: v.condition.map((d) => fromHex(d, 32) as Hash),
    ops: opsOf(v),
  };
}

/** Field-by-field comparison in hex, so a failure names the field. */
function expectFields(actual: Intention, v: FieldsHex): void {
  expect({
    author: toHex(actual.author),
    wallMs: actual.timestamp.wallMs,
    counter: actual.timestamp.counter,
    storeId: toHex(actual.storeId),
    storePrev: toHex(actual.storePrev),
    condition: actual.condition.map(toHex),
    ops: toHex(actual.ops),
  }).toEqual({
    author: v.author,
    wallMs: v.wallMs,
    counter: v.counter,
    storeId: v.storeId,
    storePrev: v.storePrev,
    condition: v.condition,
    ops: toHex(opsOf(v)),
  });
}

const ownText = readFileSync(join(fixtures, 'intention-vectors.json'));
const own = JSON.parse(ownText.toString('utf8')) as OwnFixture;
const borsh = JSON.parse(readFileSync(join(fixtures, 'borsh-intention-vectors.json'), 'utf8')) as { vectors: BorshVector[] };

describe('project intention vectors (test/fixtures/intention-vectors.json)', () => {
  it('is the file that was generated: changing a vector is a deliberate edit of this hash', () => {
    expect(toHex(blake3(ownText))).toBe('137199164f502ba7f21fd8bc705ee73ed75116756abb3d1be3d870bbb6f26790');
  });

  it('covers the cases it promises', () => {
    const names = own.vectors.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['no-deps', 'several-deps', 'empty-ops', 'max-ops', 'wall-above-2^32', 'counter-max']));
    expect(own.vectors.find((v) => v.name === 'wall-above-2^32')!.wallMs).toBeGreaterThan(2 ** 32);
    expect(own.vectors.find((v) => v.name === 'counter-max')!.counter).toBe(0xffffffff);
    expect(own.vectors.find((v) => v.name === 'max-ops')!.opsRepeat!.length).toBe(128 * 1024);
    expect(own.vectors.find((v) => v.name === 'several-deps')!.condition.length).toBeGreaterThan(2);
  });

  for (const [name, k] of Object.entries(own.keys)) {
    it(`key ${name}: the seed gives the recorded public key`, () => {
      expect(toHex(NodeKey.fromSeed(fromHex(k.seed, 32)).publicKey)).toBe(k.publicKey);
    });
  }

  for (const v of own.vectors) {
    describe(v.name, () => {
      const key = NodeKey.fromSeed(fromHex(own.keys[v.key]!.seed, 32));

      it('fields → canonical bytes, hash, signature, signed bytes', () => {
        const intention = intentionOf(v);
        expect(toHex(key.publicKey)).toBe(v.author);
        const bytes = encodeIntention(intention);
        expect(toHex(bytes)).toBe(v.bytes);
        expect(toHex(hashIntention(bytes))).toBe(v.hash);
        const signed = signIntention(key, intention);
        expect(toHex(signed.hash)).toBe(v.hash);
        expect(toHex(signed.signature)).toBe(v.signature);
        expect(toHex(encodeSigned(signed))).toBe(v.signedBytes);
      });

      it('bytes → fields', () => {
        expectFields(decodeIntention(fromHex(v.bytes)), v);
      });

      it('signed bytes → fields, hash and a verified signature', () => {
        const s = decodeSigned(fromHex(v.signedBytes));
        expectFields(s.intention, v);
        expect(toHex(s.hash)).toBe(v.hash);
        expect(toHex(s.signature)).toBe(v.signature);
        expect(toHex(s.encoding)).toBe(v.bytes);
        expect(verifySignature(s.intention.author, s.hash, s.signature)).toBe(true);
      });
    });
  }
});

describe('Rust Borsh vectors (test/fixtures/borsh-intention-vectors.json)', () => {
  it('has both vectors, one signed', () => {
    expect(borsh.vectors.map((v) => v.name)).toEqual(['v1-no-deps', 'v2-signed-two-deps']);
    expect(borsh.vectors.filter((v) => v.signature !== undefined)).toHaveLength(1);
  });

  for (const v of borsh.vectors) {
    describe(v.name, () => {
      it('fields → the exact bytes and hash', () => {
        const bytes = encodeIntention(intentionOf(v));
        expect(toHex(bytes)).toBe(v.bytes);
        expect(toHex(hashIntention(bytes))).toBe(v.hash);
      });

      it('bytes → fields', () => {
        expectFields(decodeIntention(fromHex(v.bytes)), v);
      });

      if (v.seed !== undefined) {
        it('the seed gives the author and the exact signature, which verifies', () => {
          const key = NodeKey.fromSeed(fromHex(v.seed!, 32));
          expect(toHex(key.publicKey)).toBe(v.author);
          const signed = signIntention(key, intentionOf(v));
          expect(toHex(signed.signature)).toBe(v.signature);
          const back = decodeSigned(encodeSigned(signed));
          expect(toHex(back.hash)).toBe(v.hash);
          expect(verifySignature(fromHex(v.author), fromHex(v.hash), fromHex(v.signature!))).toBe(true);
        });
      }
    });
  }
});
