// Malformed and hostile messages: every one gives a typed LatticeError E_BAD_FRAME (or a valid reply), never an
// untyped throw or a hang; API misuse gives E_BAD_ARGUMENT.
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../host/model/bytes.js';
import { isLatticeError, LatticeError } from '../../../host/model/errors.js';
import { Negentropy } from '../../../host/sync/negentropy.js';
import { buildTree, prng, randomId, runSession, type Item } from './sync-test-utils.js';

function sample(seed: number, n: number): Item[] {
  const rand = prng(seed);
  return Array.from({ length: n }, (_, i) => ({ timestamp: 1_763_900_000_000n + BigInt(i), id: randomId(rand) }));
}

function code(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof LatticeError)) throw e;
    return e.code;
  }
}

const responder = (): Negentropy => new Negentropy(buildTree(sample(1, 100)));
const initiator = (): Negentropy => {
  const n = new Negentropy(buildTree(sample(2, 100)));
  n.initiate();
  return n;
};

describe('negentropy malformed messages', () => {
  const table: [string, string][] = [
    ['empty message', ''],
    ['version byte below range', '50'],
    ['version byte above range', '70'],
    ['truncated timestamp varint', '6180'],
    ['missing id prefix length', '6101'],
    ['id prefix longer than 32', '610021' + '00'.repeat(33) + '00'],
    ['truncated id prefix', '610004aabb'],
    ['missing mode', '610000'],
    ['unknown mode', '61000003'],
    ['truncated fingerprint', '61000001' + '00'.repeat(15)],
    ['IdList count beyond the message', '6100000205' + '00'.repeat(64)],
    ['IdList count of 2^60', '61000002' + '9080808080808080808000'],
    ['varint wider than 64 bits', '61' + 'ff'.repeat(10) + '7f' + '0000'],
    ['truncated IdList id', '6100000201' + '00'.repeat(31)],
  ];
  for (const [name, hex] of table) {
    it(`${name}: E_BAD_FRAME in both roles`, () => {
      expect(code(() => responder().respond(fromHex(hex)))).toBe('E_BAD_FRAME');
      expect(code(() => initiator().reconcile(fromHex(hex)))).toBe('E_BAD_FRAME');
    });
  }

  it('an unknown newer version: the responder answers with version 1 only, the initiator refuses', () => {
    expect([...responder().respond(fromHex('62aabbccddeeff'))]).toEqual([0x61]);
    expect(code(() => initiator().reconcile(fromHex('62aabbccddeeff')))).toBe('E_BAD_FRAME');
  });

  it('a bare version byte is a valid empty message: the initiator is done', () => {
    expect(initiator().reconcile(fromHex('61')).output).toBeNull();
  });

  it('random bytes and mutated real messages never escape as untyped errors', () => {
    const a = buildTree(sample(3, 3000));
    const b = buildTree(sample(4, 2500).concat(sample(3, 2800)));
    const real = runSession(a, b, 4096, 4096).messages.map((h) => fromHex(h));
    const rand = prng(99);
    let ok = 0;
    let bad = 0;
    for (let k = 0; k < 3000; k++) {
      let msg: Uint8Array;
      if (k % 3 === 0) msg = Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
      else {
        msg = real[Math.floor(rand() * real.length)]!.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips && msg.length > 1; f++) msg[1 + Math.floor(rand() * (msg.length - 1))] ^= 1 << Math.floor(rand() * 8);
        if (k % 3 === 2) msg = msg.subarray(0, Math.floor(rand() * msg.length));
      }
      const side = k % 2 === 0 ? new Negentropy(b, 4096) : new Negentropy(a, 4096);
      if (k % 2 === 1) side.initiate();
      try {
        if (side.isInitiator) side.reconcile(msg);
        else expect(side.respond(msg).length).toBeLessThanOrEqual(4096);
        ok++;
      } catch (e) {
        expect(isLatticeError(e, 'E_BAD_FRAME'), String(e)).toBe(true);
        bad++;
      }
    }
    expect(ok).toBeGreaterThan(100);
    expect(bad).toBeGreaterThan(100);
  });

  it('API misuse is E_BAD_ARGUMENT', () => {
    const t = buildTree(sample(5, 10));
    for (const limit of [-1, 1, 4095, 1.5, Number.NaN]) expect(code(() => new Negentropy(t, limit))).toBe('E_BAD_ARGUMENT');
    expect(code(() => new Negentropy(t, 4096))).toBe('ok');
    const n = new Negentropy(t);
    expect(code(() => n.reconcile(fromHex('61')))).toBe('E_BAD_ARGUMENT');
    n.initiate();
    expect(code(() => n.initiate())).toBe('E_BAD_ARGUMENT');
    expect(code(() => n.respond(fromHex('61')))).toBe('E_BAD_ARGUMENT');
  });
});
