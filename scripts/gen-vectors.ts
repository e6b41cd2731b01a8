// Writes test/fixtures/intention-vectors.json, the project's own intention vectors (DESIGN §2), once.
// The bytes come from a second, independent Borsh writer below and the hash from @noble/hashes' BLAKE3; both must
// agree with host/model's codec and hash before anything is written. The test never regenerates: these vectors are
// a contract, so the script refuses to overwrite the file without --force (and the test pins the file's hash).
//   node --import tsx scripts/gen-vectors.ts [--force]
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bytesEqual,
  compareBytes,
  encodeIntention,
  encodeSigned,
  fromHex,
  hashIntention,
  MAX_PAYLOAD,
  NodeKey,
  signIntention,
  toHex,
  type Hash,
  type Intention,
  type StoreId,
} from '../host/model/index.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'intention-vectors.json');
if (existsSync(out) && !process.argv.includes('--force')) {
  console.error(`${out} exists; the vectors never change silently. Pass --force if you really mean to replace them.`);
  process.exit(1);
}

const h = (s: string): Uint8Array => fromHex(s);
const label = (s: string): Hash => nobleBlake3(new TextEncoder().encode(s)) as Hash;

// Independent Borsh writer: author 32 | wall_ms u64 LE | counter u32 LE | store_id 16 | store_prev 32 |
// condition tag u8 = 0 | u32 LE count | deps | u32 LE ops length | ops.
function borsh(i: Intention): Uint8Array {
  const parts: Buffer[] = [Buffer.from(i.author)];
  const wall = Buffer.alloc(8);
  wall.writeBigUInt64LE(BigInt(i.timestamp.wallMs));
  const counter = Buffer.alloc(4);
  counter.writeUInt32LE(i.timestamp.counter);
  const count = Buffer.alloc(4);
  count.writeUInt32LE(i.condition.length);
  const opsLen = Buffer.alloc(4);
  opsLen.writeUInt32LE(i.ops.length);
  parts.push(wall, counter, Buffer.from(i.storeId), Buffer.from(i.storePrev), Buffer.from([0]), count);
  for (const d of i.condition) parts.push(Buffer.from(d));
  parts.push(opsLen, Buffer.from(i.ops));
  return new Uint8Array(Buffer.concat(parts));
}

const keys = {
  alice: NodeKey.fromSeed(h('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')),
  bob: NodeKey.fromSeed(h('1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100')),
};
type KeyName = keyof typeof keys;

const storeId = h('6c617474696365000000000000000001') as StoreId; // "lattice" … 1
const ZERO = new Uint8Array(32) as Hash;
const sortedDeps = (n: number): Hash[] => Array.from({ length: n }, (_, k) => label(`dep-${k}`)).sort(compareBytes);
const OPS_REPEAT = '00112233445566778899aabbccddeeff';
const repeat = (hex: string, length: number): Uint8Array => {
  const unit = h(hex);
  return Uint8Array.from({ length }, (_, k) => unit[k % unit.length]!);
};

interface Spec {
  name: string;
  about: string;
  key: KeyName;
  wallMs: number;
  counter: number;
  storePrev: Hash;
  condition: Hash[];
  ops: Uint8Array;
  /** Large ops are written as a repeated pattern rather than in full. */
  opsRepeat?: { hex: string; length: number };
}

const specs: Spec[] = [
  { name: 'no-deps', about: 'an author\'s first intention: ZERO storePrev, no deps, app ops', key: 'alice', wallMs: 1_700_000_000_000, counter: 0, storePrev: ZERO, condition: [], ops: h('0068656c6c6f') },
  { name: 'several-deps', about: 'five sorted deps and a storePrev, system ops', key: 'alice', wallMs: 1_700_000_000_123, counter: 7, storePrev: label('prev-1'), condition: sortedDeps(5), ops: h('01a1636b6579') },
  { name: 'empty-ops', about: 'zero-length ops (the codec accepts it; the envelope does not)', key: 'bob', wallMs: 1_700_000_000_456, counter: 1, storePrev: label('prev-2'), condition: sortedDeps(1), ops: new Uint8Array(0) },
  { name: 'max-ops', about: `ops of exactly MAX_PAYLOAD (${MAX_PAYLOAD}) bytes`, key: 'bob', wallMs: 1_700_000_001_000, counter: 3, storePrev: label('prev-3'), condition: sortedDeps(2), ops: repeat(OPS_REPEAT, MAX_PAYLOAD), opsRepeat: { hex: OPS_REPEAT, length: MAX_PAYLOAD } },
  { name: 'wall-above-2^32', about: 'wallMs = 0x1_2345_6789 uses the high word of the u64', key: 'alice', wallMs: 0x1_2345_6789, counter: 1, storePrev: label('prev-4'), condition: [], ops: h('00ff') },
  { name: 'wall-max-safe', about: 'wallMs = 2^53 - 1, the largest the codec accepts', key: 'bob', wallMs: Number.MAX_SAFE_INTEGER, counter: 2, storePrev: label('prev-5'), condition: sortedDeps(3), ops: h('0001') },
  { name: 'counter-max', about: 'counter = 0xffffffff', key: 'alice', wallMs: 1_700_000_002_000, counter: 0xffffffff, storePrev: label('prev-6'), condition: sortedDeps(2), ops: h('00') },
  { name: 'unknown-op-tag', about: 'ops tag 0x02: still a valid intention (the kernel pauses on applying it)', key: 'bob', wallMs: 1_700_000_003_000, counter: 0, storePrev: ZERO, condition: [], ops: h('02deadbeef') },
];

const vectors = specs.map((s) => {
  const key = keys[s.key];
  const intention: Intention = { author: key.publicKey, timestamp: { wallMs: s.wallMs, counter: s.counter }, storeId, storePrev: s.storePrev, condition: s.condition, ops: s.ops };
  const bytes = borsh(intention);
  const hash = nobleBlake3(bytes);
  const signed = signIntention(key, intention);
  if (!bytesEqual(encodeIntention(intention), bytes)) throw new Error(`${s.name}: host/model's codec disagrees with the independent writer`);
  if (!bytesEqual(hashIntention(bytes), hash) || !bytesEqual(signed.hash, hash)) throw new Error(`${s.name}: hash-wasm and @noble/hashes disagree`);
  const spki = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key.publicKey]), format: 'der', type: 'spki' });
  if (!verify(null, hash, spki, signed.signature)) throw new Error(`${s.name}: signature does not verify`);
  return {
    name: s.name,
    about: s.about,
    key: s.key,
    author: toHex(key.publicKey),
    wallMs: s.wallMs,
    counter: s.counter,
    storeId: toHex(storeId),
    storePrev: toHex(s.storePrev),
    condition: s.condition.map(toHex),
    ...(s.opsRepeat ? { opsRepeat: s.opsRepeat } : { ops: toHex(s.ops) }),
    bytes: toHex(bytes),
    hash: toHex(hash),
    signature: toHex(signed.signature),
    signedBytes: toHex(encodeSigned(signed)),
  };
});

const fixture = {
  about:
    'Lattice intention vectors (DESIGN §2), written once by scripts/gen-vectors.ts and never changed silently. ' +
    'bytes = the Rust Borsh layout; hash = BLAKE3(bytes); signature = Ed25519(hash) by the key made from the seed; ' +
    'signedBytes = bytes ‖ signature. opsRepeat: ops are hex repeated and cut to length. Bytes cross-checked ' +
    'against an independent writer, hashes against @noble/hashes.',
  keys: Object.fromEntries(Object.entries(keys).map(([name, k]) => [name, { seed: toHex(k.seed), publicKey: toHex(k.publicKey) }])),
  vectors,
};
writeFileSync(out, JSON.stringify(fixture, null, 2) + '\n');
console.log(`wrote ${vectors.length} vectors to ${out}`);
