// Fuzz: random buffers and random mutations of valid intentions never make the decoder throw anything but a
// LatticeError with a decoding code; whatever it accepts is canonical (re-encodes to the same bytes), and no
// mutated signed intention is accepted. Seeded: FUZZ_SEED=<n> replays a run, FUZZ_SCALE=<k> runs k times more.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  concatBytes,
  decodeIntention,
  decodeSigned,
  encodeIntention,
  encodeSigned,
  fromHex,
  LatticeError,
  MAX_DEPS,
  MAX_PAYLOAD,
  type ErrorCode,
} from '../../../host/model/index.js';
import { prng } from './raw.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x1a77ce);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const DECODE_CODES = new Set<ErrorCode>(['E_MALFORMED_INTENTION', 'E_PAYLOAD_TOO_LARGE', 'E_TOO_MANY_DEPS', 'E_BAD_SIGNATURE']);

interface Vector { name: string; bytes: string; signedBytes: string }
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/intention-vectors.json'), 'utf8')) as { vectors: Vector[] };
const valid = fixture.vectors.map((v) => ({ name: v.name, bytes: fromHex(v.bytes), signed: fromHex(v.signedBytes) }));

type Outcome = 'ok' | ErrorCode;

/** Decodes and classifies; anything thrown that is not a decoding LatticeError fails the test with the input. */
function attempt(label: string, input: Uint8Array, decode: (b: Uint8Array) => Uint8Array): Outcome {
  let reencoded: Uint8Array;
  try {
    reencoded = decode(input);
  } catch (e) {
    if (e instanceof LatticeError && DECODE_CODES.has(e.code)) return e.code;
    throw new Error(`${label} (FUZZ_SEED=${SEED}): threw ${String(e)} for input ${Buffer.from(input).toString('hex').slice(0, 400)}`, { cause: e });
  }
  if (!bytesEqual(reencoded, input)) throw new Error(`${label} (FUZZ_SEED=${SEED}): accepted a non-canonical encoding`);
  return 'ok';
}

const bare = (b: Uint8Array): Uint8Array => encodeIntention(decodeIntention(b));
const signed = (b: Uint8Array): Uint8Array => encodeSigned(decodeSigned(b));

const COUNT_AT = 32 + 8 + 4 + 16 + 32 + 1;
const BOUNDARY_U32 = [0, 1, 2, MAX_DEPS, MAX_DEPS + 1, MAX_PAYLOAD, MAX_PAYLOAD + 1, 0x7fffffff, 0x80000000, 0xffffffff];

function mutate(rand: ReturnType<typeof prng>, input: Uint8Array, opsLenAt: number): Uint8Array {
  let b: Uint8Array = input.slice();
  const rounds = 1 + rand.int(3);
  for (let r = 0; r < rounds; r++) {
    const at = b.length === 0 ? 0 : rand.int(b.length);
    switch (rand.int(9)) {
      case 0: // flip one bit
        if (b.length) b[at]! ^= 1 << rand.int(8);
        break;
      case 1: // random byte
        if (b.length) b[at] = rand.int(256);
        break;
      case 2: // boundary byte
        if (b.length) b[at] = [0, 1, 0x7f, 0x80, 0xff][rand.int(5)]!;
        break;
      case 3: { // a boundary value in the dep count or the ops length
        const field = rand.int(2) === 0 ? COUNT_AT : opsLenAt;
        if (field + 4 <= b.length) new DataView(b.buffer).setUint32(field, BOUNDARY_U32[rand.int(BOUNDARY_U32.length)]! + rand.int(3) - 1, true);
        break;
      }
      case 4: // truncate
        b = b.slice(0, at);
        break;
      case 5: // append random bytes
        b = concatBytes(b, rand.bytes(1 + rand.int(64)));
        break;
      case 6: { // delete a range
        const n = 1 + rand.int(40);
        b = concatBytes(b.subarray(0, at), b.subarray(at + n));
        break;
      }
      case 7: { // duplicate a range
        const n = 1 + rand.int(40);
        b = concatBytes(b.subarray(0, at + n), b.subarray(at, at + n), b.subarray(at + n));
        break;
      }
      case 8: // the wallMs high bytes (the 2^53 range check)
        b[32 + 6 + rand.int(2)] = rand.int(256);
        break;
    }
  }
  return b;
}

/** The offset of the ops length field of a valid encoding. */
const opsLenAt = (bytes: Uint8Array): number => COUNT_AT + 4 + 32 * new DataView(bytes.buffer, bytes.byteOffset).getUint32(COUNT_AT, true);

describe(`decoder fuzz (FUZZ_SEED=${SEED})`, () => {
  it('random buffers: only decoding LatticeErrors', () => {
    const rand = prng(SEED);
    const seen = new Map<Outcome, number>();
    for (let k = 0; k < 4000 * SCALE; k++) {
      const input = rand.bytes(rand.int(k % 4 === 0 ? 2000 : 400));
      for (const [label, decode] of [['decodeIntention', bare], ['decodeSigned', signed]] as const) {
        const o = attempt(label, input, decode);
        seen.set(o, (seen.get(o) ?? 0) + 1);
      }
    }
    expect(seen.get('ok') ?? 0).toBe(0);
    expect(seen.get('E_MALFORMED_INTENTION')).toBeGreaterThan(0);
  });

  it('random bodies behind a plausible header (tag 0, a small dep count): only decoding LatticeErrors', () => {
    const rand = prng(SEED + 1);
    const seen = new Map<Outcome, number>();
    for (let k = 0; k < 4000 * SCALE; k++) {
      const deps = rand.int(4);
      const input = rand.bytes(COUNT_AT + 4 + 32 * deps + 4 + rand.int(120) + (k % 2 ? 64 : 0));
      input[COUNT_AT - 1] = 0;
      new DataView(input.buffer).setUint32(COUNT_AT, deps, true);
      input[32 + 6] = 0; // keep wallMs below 2^53 most of the time, so decoding gets past it
      input[32 + 7] = 0;
      if (rand.int(2)) new DataView(input.buffer).setUint32(COUNT_AT + 4 + 32 * deps, rand.int(130), true);
      for (const [label, decode] of [['decodeIntention', bare], ['decodeSigned', signed]] as const) {
        const o = attempt(label, input, decode);
        seen.set(o, (seen.get(o) ?? 0) + 1);
      }
    }
    // Deep enough to reach the dep order check and the signature; a random signature never verifies.
    expect(seen.get('E_MALFORMED_INTENTION')).toBeGreaterThan(0);
    expect(seen.get('E_BAD_SIGNATURE') ?? 0).toBeGreaterThan(0);
  });

  it('mutations of valid encodings: only decoding LatticeErrors; what decodes is canonical', () => {
    const rand = prng(SEED + 2);
    const seen = new Map<Outcome, number>();
    for (let k = 0; k < 6000 * SCALE; k++) {
      const v = valid[k % valid.length]!;
      const o = attempt(`decodeIntention(mutated ${v.name})`, mutate(rand, v.bytes, opsLenAt(v.bytes)), bare);
      seen.set(o, (seen.get(o) ?? 0) + 1);
    }
    for (const code of ['ok', 'E_MALFORMED_INTENTION', 'E_TOO_MANY_DEPS', 'E_PAYLOAD_TOO_LARGE'] as const) {
      expect(seen.get(code), `outcome ${code} never reached: the mutator has degenerated`).toBeGreaterThan(0);
    }
  });

  it('mutations of valid signed intentions: only decoding LatticeErrors, and none is accepted unless unchanged', () => {
    const rand = prng(SEED + 3);
    const seen = new Map<Outcome, number>();
    for (let k = 0; k < 4000 * SCALE; k++) {
      const v = valid[k % valid.length]!;
      const input = mutate(rand, v.signed, opsLenAt(v.bytes));
      const o = attempt(`decodeSigned(mutated ${v.name})`, input, signed);
      if (o === 'ok' && !bytesEqual(input, v.signed)) {
        throw new Error(`FUZZ_SEED=${SEED}: a mutated ${v.name} passed signature verification: ${Buffer.from(input).toString('hex').slice(0, 400)}`);
      }
      seen.set(o, (seen.get(o) ?? 0) + 1);
    }
    for (const code of ['E_BAD_SIGNATURE', 'E_MALFORMED_INTENTION', 'E_TOO_MANY_DEPS', 'E_PAYLOAD_TOO_LARGE'] as const) {
      expect(seen.get(code), `outcome ${code} never reached: the mutator has degenerated`).toBeGreaterThan(0);
    }
  });
});
