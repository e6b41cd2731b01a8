import { describe, expect, it } from 'vitest';
import { isLatticeError, MAX_FRAME } from '../../../host/model/index.js';
import { encodeFrame, FrameDecoder } from '../../../host/net/frame.js';

describe('frames', () => {
  it('decodes frames split at every byte boundary and glued together', () => {
    const payloads = [new Uint8Array(0), new Uint8Array([1]), new Uint8Array(300).map((_, i) => i & 255), new Uint8Array([7, 7])];
    const wire = payloads.map((p) => encodeFrame(p));
    const all = new Uint8Array(wire.reduce((n, w) => n + w.length, 0));
    let o = 0;
    for (const w of wire) all.set(w, (o += w.length) - w.length);
    for (const step of [1, 3, 5, 64, all.length]) {
      const d = new FrameDecoder();
      const got: Uint8Array[] = [];
      for (let i = 0; i < all.length; i += step) {
        d.push(all.subarray(i, i + step));
        for (let f = d.next(); f; f = d.next()) got.push(f);
      }
      expect(got).toEqual(payloads);
      expect(d.pending).toBe(0);
    }
  });

  it('refuses an oversized frame on encode, and an oversized length prefix before buffering it', () => {
    expect(() => encodeFrame(new Uint8Array(MAX_FRAME + 1))).toThrow(expect.objectContaining({ code: 'E_FRAME_TOO_LARGE' }));
    expect(encodeFrame(new Uint8Array(MAX_FRAME)).length).toBe(MAX_FRAME + 4);
    const d = new FrameDecoder();
    d.push(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    let err: unknown;
    try {
      d.next();
    } catch (e) {
      err = e;
    }
    expect(isLatticeError(err, 'E_FRAME_TOO_LARGE')).toBe(true);
    expect(() => d.next()).toThrow(); // stays failed
  });
});
