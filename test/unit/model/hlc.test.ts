// The HLC pure core (DESIGN §2): compare, issue, observe, skew; and HlcClock over an injected wall clock.
import { describe, expect, it } from 'vitest';
import {
  compareHlc,
  HLC_ZERO,
  HlcClock,
  hlcToString,
  isBeyondSkew,
  issueHlc,
  MAX_CLOCK_SKEW_MS,
  maxHlc,
  observeHlc,
  type Hlc,
} from '../../../host/model/index.js';
import { prng } from './raw.js';

const h = (wallMs: number, counter = 0): Hlc => ({ wallMs, counter });
const MAX_U32 = 0xffffffff;

describe('compareHlc', () => {
  const cases: [Hlc, Hlc, number][] = [
    [h(1, 0), h(1, 0), 0],
    [h(1, 0), h(2, 0), -1],
    [h(2, 0), h(1, 0), 1],
    [h(1, 5), h(1, 6), -1],
    [h(1, 6), h(1, 5), 1],
    [h(1, MAX_U32), h(2, 0), -1], // wallMs decides before the counter
    [h(2, 0), h(1, MAX_U32), 1],
    [h(2 ** 40, 0), h(2 ** 40 + 1, 0), -1], // above 2^32, no 32-bit truncation
    [h(Number.MAX_SAFE_INTEGER, 0), h(Number.MAX_SAFE_INTEGER - 1, MAX_U32), 1],
  ];
  for (const [a, b, want] of cases) {
    it(`${hlcToString(a)} vs ${hlcToString(b)} is ${want}`, () => {
      expect(compareHlc(a, b)).toBe(want);
      expect(compareHlc(b, a)).toBe(want === 0 ? 0 : -want);
    });
  }

  it('maxHlc picks the larger either way round', () => {
    expect(maxHlc(h(1, 9), h(2, 0))).toEqual(h(2, 0));
    expect(maxHlc(h(2, 0), h(1, 9))).toEqual(h(2, 0));
    expect(maxHlc(h(3, 1), h(3, 2))).toEqual(h(3, 2));
  });

  it('hlcToString is wallMs.counter', () => {
    expect(hlcToString(h(1_700_000_000_000, 42))).toBe('1700000000000.42');
  });
});

describe('issueHlc', () => {
  it('takes the wall clock when it is ahead, with counter 0', () => {
    expect(issueHlc(h(100, 7), 200)).toEqual(h(200, 0));
  });

  it('bumps the counter when the wall clock has not moved', () => {
    expect(issueHlc(h(100, 7), 100)).toEqual(h(100, 8));
  });

  it('bumps the counter, keeping wallMs, when the wall clock went backwards', () => {
    expect(issueHlc(h(100, 7), 40)).toEqual(h(100, 8));
  });

  it('counter overflow: at 0xffffffff the next timestamp moves wallMs up by one with counter 0', () => {
    const next = issueHlc(h(100, MAX_U32), 100);
    expect(next).toEqual(h(101, 0));
    expect(compareHlc(next, h(100, MAX_U32))).toBe(1);
    expect(issueHlc(h(100, MAX_U32), 50)).toEqual(h(101, 0)); // also when the clock is behind
  });

  it('never issues a counter above u32', () => {
    let last = h(5, MAX_U32 - 3);
    for (let k = 0; k < 10; k++) {
      last = issueHlc(last, 5);
      expect(last.counter).toBeLessThanOrEqual(MAX_U32);
    }
    expect(last.wallMs).toBe(6);
  });

  it('is strictly monotonic under a clock that jumps back and forth (seeded walk)', () => {
    const rand = prng(7);
    let wall = 1_700_000_000_000;
    let last = HLC_ZERO;
    for (let k = 0; k < 20_000; k++) {
      const step = rand.int(10);
      wall += step < 3 ? -rand.int(5_000) : step < 6 ? 0 : rand.int(3); // often backwards or stuck
      const next = issueHlc(last, wall);
      expect(compareHlc(next, last)).toBe(1);
      expect(next.wallMs).toBeGreaterThanOrEqual(wall); // never below the wall clock
      if (wall > last.wallMs) expect(next).toEqual(h(wall, 0));
      last = next;
    }
  });
});

describe('skew', () => {
  const now = 1_700_000_000_000;

  it('a remote exactly MAX_CLOCK_SKEW_MS ahead is within the skew and absorbed', () => {
    const remote = h(now + MAX_CLOCK_SKEW_MS, 3);
    expect(isBeyondSkew(remote, now)).toBe(false);
    expect(observeHlc(h(now, 0), remote, now)).toEqual(remote);
  });

  it('a remote one ms beyond the skew is held: not absorbed, the clock does not move', () => {
    const remote = h(now + MAX_CLOCK_SKEW_MS + 1, 0);
    expect(isBeyondSkew(remote, now)).toBe(true);
    const local = h(now, 4);
    expect(observeHlc(local, remote, now)).toBe(local);
  });

  it('the default skew is 10 minutes', () => {
    expect(MAX_CLOCK_SKEW_MS).toBe(10 * 60 * 1000);
  });

  it('takes a custom skew', () => {
    expect(isBeyondSkew(h(now + 1001), now, 1000)).toBe(true);
    expect(isBeyondSkew(h(now + 1000), now, 1000)).toBe(false);
    expect(observeHlc(h(now), h(now + 1001), now, 1000)).toEqual(h(now));
  });

  it('a remote far in the past is never beyond the skew', () => {
    expect(isBeyondSkew(h(0), now)).toBe(false);
  });
});

describe('observeHlc', () => {
  const now = 1_700_000_000_000;

  it('a remote ahead (within the skew) moves the clock to it', () => {
    expect(observeHlc(h(now, 2), h(now + 5_000, 9), now)).toEqual(h(now + 5_000, 9));
  });

  it('a remote behind leaves the clock where it is', () => {
    expect(observeHlc(h(now, 2), h(now - 5_000, 9), now)).toEqual(h(now, 2));
  });

  it('the same wallMs with a higher counter is absorbed', () => {
    expect(observeHlc(h(now, 2), h(now, 3), now)).toEqual(h(now, 3));
  });

  it('after observing, the next issued timestamp is above the remote even with the wall clock behind', () => {
    const remote = h(now + 60_000, MAX_U32);
    const next = issueHlc(observeHlc(h(now, 0), remote, now), now);
    expect(compareHlc(next, remote)).toBe(1);
    expect(next).toEqual(h(now + 60_001, 0));
  });
});

describe('HlcClock', () => {
  it('issues strictly increasing timestamps, never below anything witnessed within the skew', () => {
    let wall = 1_700_000_000_000;
    const clock = new HlcClock(() => wall);
    const rand = prng(11);
    let last = clock.now();
    let highestWitnessed = HLC_ZERO;
    for (let k = 0; k < 5_000; k++) {
      wall += rand.int(3) - 1; // jitter, sometimes backwards
      if (rand.int(4) === 0) {
        const remote = h(wall + rand.int(2 * MAX_CLOCK_SKEW_MS) - MAX_CLOCK_SKEW_MS / 2, rand.int(100));
        clock.observe(remote);
        if (!isBeyondSkew(remote, wall)) highestWitnessed = maxHlc(highestWitnessed, remote);
      }
      const next = clock.now();
      expect(compareHlc(next, last)).toBe(1);
      expect(compareHlc(next, highestWitnessed)).toBe(1);
      last = next;
    }
  });

  it('a timestamp beyond the skew is not absorbed: the clock keeps following the wall clock', () => {
    const wall = 1_000_000;
    const clock = new HlcClock(() => wall, h(wall, 0));
    clock.observe(h(wall + MAX_CLOCK_SKEW_MS + 1, 0));
    expect(clock.peek()).toEqual(h(wall, 0));
    expect(clock.now()).toEqual(h(wall, 1));
  });

  it('starts from a persisted timestamp and never issues below it, even with the wall clock far behind', () => {
    const clock = new HlcClock(() => 5, h(1_000, 10));
    expect(clock.now()).toEqual(h(1_000, 11));
  });

  it('peek does not issue', () => {
    const clock = new HlcClock(() => 10);
    expect(clock.peek()).toEqual(HLC_ZERO);
    expect(clock.peek()).toEqual(HLC_ZERO);
    expect(clock.now()).toEqual(h(10, 0));
    expect(clock.peek()).toEqual(h(10, 0));
  });
});
