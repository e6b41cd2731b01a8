// Hybrid logical clock as a pure core (DESIGN §2): issue, observe, compare, skew check. The wall clock is injected.
import { MAX_CLOCK_SKEW_MS } from './limits.js';

export interface Hlc {
  /** Milliseconds since the epoch (u64 on the wire; kept below 2^53). */
  readonly wallMs: number;
  /** Logical counter (u32). */
  readonly counter: number;
}

export const HLC_ZERO: Hlc = Object.freeze({ wallMs: 0, counter: 0 });

export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return 0;
}

export const maxHlc = (a: Hlc, b: Hlc): Hlc => (compareHlc(a, b) >= 0 ? a : b);

/** The next timestamp strictly above `last` and not below the wall clock. */
export function issueHlc(last: Hlc, nowMs: number): Hlc {
  if (nowMs > last.wallMs) return { wallMs: nowMs, counter: 0 };
  if (last.counter >= 0xffffffff) return { wallMs: last.wallMs + 1, counter: 0 };
  return { wallMs: last.wallMs, counter: last.counter + 1 };
}

/** True when `remote` is more than the skew limit ahead of the local wall clock (hold it unwitnessed). */
export function isBeyondSkew(remote: Hlc, nowMs: number, skewMs = MAX_CLOCK_SKEW_MS): boolean {
  return remote.wallMs > nowMs + skewMs;
}

/**
 * The clock after observing a remote timestamp: the max of both, so the node never issues below anything it has
 * witnessed. A timestamp beyond the skew never drags the clock forward (the caller holds it instead).
 */
export function observeHlc(local: Hlc, remote: Hlc, nowMs: number, skewMs = MAX_CLOCK_SKEW_MS): Hlc {
  if (isBeyondSkew(remote, nowMs, skewMs)) return local;
  return maxHlc(local, remote);
}

/** A stateful clock for one node: `now()` issues, `observe()` absorbs. */
export class HlcClock {
  private last: Hlc;
  constructor(
    private readonly wall: () => number = Date.now,
    initial: Hlc = HLC_ZERO,
  ) {
    this.last = initial;
  }
  now(): Hlc {
    this.last = issueHlc(this.last, this.wall());
    return this.last;
  }
  observe(remote: Hlc): void {
    this.last = observeHlc(this.last, remote, this.wall());
  }
  peek(): Hlc {
    return this.last;
  }
}

export const hlcToString = (h: Hlc): string => `${h.wallMs}.${h.counter}`;
