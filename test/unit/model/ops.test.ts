// The ops envelope (DESIGN §2): 0x00 app, 0x01 system; any other tag is E_UNSUPPORTED_OP_VERSION for the kernel.
import { describe, expect, it } from 'vitest';
import { decodeOps, encodeAppOps, encodeSystemOps, OP_APP, OP_SYSTEM } from '../../../host/model/index.js';
import { latticeError, prng } from './raw.js';

const bodies = [new Uint8Array(0), new Uint8Array([0]), new Uint8Array([1]), new Uint8Array([0xff, 0, 1]), prng(3).bytes(4096)];

describe('ops envelope', () => {
  it('the tags are 0x00 (app) and 0x01 (system)', () => {
    expect([OP_APP, OP_SYSTEM]).toEqual([0, 1]);
  });

  for (const body of bodies) {
    it(`app ops round-trip (${body.length}-byte body)`, () => {
      const ops = encodeAppOps(body);
      expect(ops[0]).toBe(0x00);
      expect(ops.length).toBe(body.length + 1);
      const env = decodeOps(ops);
      expect(env.kind).toBe('app');
      expect(env.body).toEqual(body);
    });

    it(`system ops round-trip (${body.length}-byte body)`, () => {
      const ops = encodeSystemOps(body);
      expect(ops[0]).toBe(0x01);
      const env = decodeOps(ops);
      expect(env.kind).toBe('system');
      expect(env.body).toEqual(body);
    });
  }

  it('encoding copies the body', () => {
    const body = new Uint8Array([1, 2, 3]);
    const ops = encodeAppOps(body);
    body[0] = 9;
    expect(decodeOps(ops).body).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('an unknown tag (0x02) is E_UNSUPPORTED_OP_VERSION with the tag in its details', () => {
    const e = latticeError(() => decodeOps(new Uint8Array([0x02, 1, 2])), 'E_UNSUPPORTED_OP_VERSION');
    expect(e.details['tag']).toBe(2);
    expect(e.message).toContain('0x02');
  });

  it('every tag from 0x02 to 0xff is E_UNSUPPORTED_OP_VERSION', () => {
    for (let tag = 2; tag < 256; tag++) {
      expect(latticeError(() => decodeOps(new Uint8Array([tag])), 'E_UNSUPPORTED_OP_VERSION').details['tag']).toBe(tag);
    }
  });

  it('empty ops (no tag at all) are E_UNSUPPORTED_OP_VERSION', () => {
    expect(latticeError(() => decodeOps(new Uint8Array(0)), 'E_UNSUPPORTED_OP_VERSION').details['tag']).toBeNull();
  });
});
