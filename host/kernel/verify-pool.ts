// Batched Ed25519 verification (DESIGN §3 step 2): small batches verify on the calling thread; large ones are split
// across a worker_threads pool (default 2 workers, one per core on the CI machine). Workers are plain .mjs with only
// node:crypto, started lazily and unref'd, so an idle pool never keeps the process alive.
import { Worker } from 'node:worker_threads';
import { LatticeError, verifySignature, type SignedIntention } from '../model/index.js';

const RECORD = 128;

export interface VerifyPoolOptions {
  /** Number of workers (default 2). 0 verifies everything on the calling thread. */
  size?: number;
  /** Batches smaller than this verify on the calling thread (default 64). */
  threshold?: number;
}

interface Pending {
  resolve(ok: Uint8Array): void;
  reject(e: Error): void;
}

export class VerifyPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  readonly size: number;
  readonly threshold: number;

  constructor(options: VerifyPoolOptions = {}) {
    this.size = options.size ?? 2;
    this.threshold = options.threshold ?? 64;
  }

  private start(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.size; i++) {
      const w = new Worker(new URL('./verify-worker.mjs', import.meta.url));
      w.unref();
      w.on('message', ({ id, ok }: { id: number; ok: ArrayBuffer }) => {
        const p = this.pending.get(id);
        this.pending.delete(id);
        p?.resolve(new Uint8Array(ok));
      });
      w.on('error', (e) => this.broken(e));
      w.on('exit', (code) => {
        if (!this.closed) this.broken(new Error(`verify worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  /**
   * A worker failed (its file missing, a crash): every pending job fails with E_HOST_FAULT, and the pool drops all
   * its workers so the next batch starts fresh ones rather than waiting forever on a dead one.
   */
  private broken(e: unknown): void {
    this.failAll(e);
    const dead = this.workers.splice(0);
    for (const w of dead) {
      w.removeAllListeners('exit');
      void w.terminate().catch(() => undefined);
    }
  }

  private failAll(e: unknown): void {
    const err = new LatticeError('E_HOST_FAULT', `verify worker failed: ${(e as Error)?.message ?? e}`, {}, { cause: e });
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** One boolean per intention: does its signature verify over its hash. */
  async verify(items: readonly SignedIntention[]): Promise<boolean[]> {
    if (this.closed) throw new LatticeError('E_CLOSED', 'verify pool is closed');
    if (this.size === 0 || items.length < this.threshold) {
      return items.map((s) => verifySignature(s.intention.author, s.hash, s.signature));
    }
    this.start();
    const per = Math.ceil(items.length / this.workers.length);
    const jobs: Promise<Uint8Array>[] = [];
    for (let w = 0; w < this.workers.length; w++) {
      const slice = items.slice(w * per, (w + 1) * per);
      if (slice.length === 0) break;
      const buf = new Uint8Array(slice.length * RECORD);
      slice.forEach((s, i) => {
        const o = i * RECORD;
        if (s.intention.author.length === 32 && s.signature.length === 64) {
          buf.set(s.intention.author, o);
          buf.set(s.hash, o + 32);
          buf.set(s.signature, o + 64);
        }
      });
      const id = this.nextId++;
      jobs.push(new Promise<Uint8Array>((resolve, reject) => this.pending.set(id, { resolve, reject })));
      this.workers[w]!.postMessage({ id, buffer: buf.buffer, count: slice.length }, [buf.buffer]);
    }
    for (const w of this.workers) w.ref(); // a pending job keeps the process alive; an idle pool does not
    let results: Uint8Array[];
    try {
      results = await Promise.all(jobs);
    } catch (e) {
      if (this.closed) throw e;
      // The workers broke (see broken()): this batch is verified here, slower but the same answer, not lost.
      return items.map((s) => verifySignature(s.intention.author, s.hash, s.signature));
    } finally {
      if (this.pending.size === 0) for (const w of this.workers) w.unref();
    }
    const out: boolean[] = [];
    for (const r of results) for (const b of r) out.push(b === 1);
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new LatticeError('E_CLOSED', 'verify pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
