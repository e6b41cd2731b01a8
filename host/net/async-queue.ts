// A single-consumer async queue with end and failure, used for incoming connections, accepted streams and
// received frames. Waiting honours an AbortSignal; a failure is delivered after the items queued before it.
import { LatticeError } from '../model/index.js';

interface Waiter<T> {
  resolve(v: T | undefined): void;
  reject(e: unknown): void;
}

export function abortError(signal: AbortSignal): LatticeError {
  const reason: unknown = signal.reason;
  if (reason instanceof LatticeError) return reason;
  return new LatticeError('E_ABORTED', undefined, {}, { cause: reason });
}

/** Races `p` against `signal`; on abort, rejects with E_ABORTED (the losing promise is left to settle). */
export function raceAbort<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private ended = false;
  private failure: unknown = undefined;

  get size(): number {
    return this.items.length;
  }

  get done(): boolean {
    return this.ended;
  }

  push(item: T): boolean {
    if (this.ended) return false;
    const w = this.waiters.shift();
    if (w) w.resolve(item);
    else this.items.push(item);
    return true;
  }

  /** No more items; waiters get `undefined` once the queue drains. */
  end(): void {
    this.fail(undefined);
  }

  /** No more items; waiters get `err` (or `undefined` when err is undefined) once the queue drains. */
  fail(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = err;
    for (const w of this.waiters.splice(0)) this.settleEnded(w);
  }

  /** Drops every queued item (they are handed to `dispose`). */
  drain(dispose: (item: T) => void): void {
    for (const item of this.items.splice(0)) dispose(item);
  }

  /** The next item, or `undefined` once ended and drained. */
  shift(signal?: AbortSignal): Promise<T | undefined> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    if (this.ended) return new Promise((resolve, reject) => this.settleEnded({ resolve, reject }));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<T | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError(signal!));
      };
      const w: Waiter<T> = {
        resolve: (v) => (signal?.removeEventListener('abort', onAbort), resolve(v)),
        reject: (e) => (signal?.removeEventListener('abort', onAbort), reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  async *iterate(signal?: AbortSignal): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const v = await this.shift(signal);
      if (v === undefined) return;
      yield v;
    }
  }

  private settleEnded(w: Waiter<T>): void {
    if (this.failure === undefined) w.resolve(undefined);
    else w.reject(this.failure);
  }
}
