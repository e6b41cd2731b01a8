// Shared bench harness (DESIGN §9): time a function, track the process's memory high-water, and write one
// bench/results/<name>.json per bench with its rows, peak JS heap and RSS, and the machine it ran on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, arch, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One side of a ratio, or any named figure. */
export interface Quantity {
  name: string;
  value: number;
  unit: string;
}

/** One line of results. A ratio carries both of its sides, measured in the same run. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  numerator?: Quantity;
  denominator?: Quantity;
  [k: string]: unknown;
}

export interface MemoryPeak {
  /** Highest process.memoryUsage().heapUsed seen by the sampler (bytes). */
  peakHeapUsed: number;
  /** Highest RSS seen by the sampler (bytes). */
  peakRss: number;
  /** The kernel's own RSS high-water for this process (bytes), from getrusage. */
  maxRss: number;
  samples: number;
}

export interface MachineInfo {
  cpus: number;
  availableParallelism: number;
  cpuModel: string;
  totalMemBytes: number;
  platform: string;
  arch: string;
  osRelease: string;
  node: string;
  v8: string;
  /** 1, 5 and 15 minute load averages when the results were written: other work on the machine skews figures. */
  loadavg: number[];
}

export interface BenchResults {
  name: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  machine: MachineInfo;
  memory: MemoryPeak;
  rows: BenchRow[];
}

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

// ---------------------------------------------------------------------------------------------------------------
// Memory high-water

export interface HeapSampler {
  /** Take one sample now (call it inside long synchronous loops, where the timer cannot fire). */
  sample(): void;
  peak(): MemoryPeak;
  stop(): MemoryPeak;
}

/** Samples heapUsed and RSS every `intervalMs` (the timer is unref'd) and on every `sample()` call. */
export function createHeapSampler(intervalMs = 10): HeapSampler {
  let peakHeapUsed = 0;
  let peakRss = 0;
  let samples = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    if (m.heapUsed > peakHeapUsed) peakHeapUsed = m.heapUsed;
    if (m.rss > peakRss) peakRss = m.rss;
    samples++;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  const peak = (): MemoryPeak => ({ peakHeapUsed, peakRss, maxRss: process.resourceUsage().maxRSS * 1024, samples });
  return {
    sample,
    peak,
    stop() {
      clearInterval(timer);
      sample();
      return peak();
    },
  };
}

// writeResults(name, rows) reports the process's peak, so one sampler runs for the life of the bench process.
// A bench is one short-lived process; this is the only module-level state in the harness.
const processSampler = createHeapSampler();
const processStart = Date.now();

/** Samples the process-wide high-water now; `measure` calls it, long custom loops should too. */
export const sampleMemory = (): void => processSampler.sample();

// ---------------------------------------------------------------------------------------------------------------
// Timing

export interface MeasureOptions {
  /** Keep calling until at least this long has passed (default 1000 ms). */
  minMs?: number;
  /** Untimed calls first, for the JIT (default min(250, minMs / 4) ms). */
  warmupMs?: number;
  /** Operations one call of `fn` performs (default 1), for functions that loop themselves. */
  opsPerCall?: number;
}

export interface Measurement {
  opsPerSec: number;
  ops: number;
  ms: number;
}

function timedLoop(fn: () => unknown, minMs: number): { calls: number; ms: number } {
  const start = process.hrtime.bigint();
  const minNs = BigInt(Math.round(minMs * 1e6));
  let calls = 0;
  let batch = 1;
  for (;;) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    const elapsed = process.hrtime.bigint() - start;
    sampleMemory();
    if (elapsed >= minNs) return { calls, ms: Number(elapsed) / 1e6 };
    // Grow the batch so the clock is read rarely for fast functions, at most ~1/16 of the run per batch.
    const perCallNs = Number(elapsed) / calls;
    batch = Math.max(1, Math.min(batch * 2, Math.floor(Number(minNs) / 16 / Math.max(perCallNs, 1))));
  }
}

/** Runs a synchronous `fn` for at least `minMs` after a warm-up; returns the details. */
export function measureDetailed(fn: () => unknown, options: MeasureOptions = {}): Measurement {
  const minMs = options.minMs ?? 1000;
  const warmupMs = options.warmupMs ?? Math.min(250, minMs / 4);
  const opsPerCall = options.opsPerCall ?? 1;
  if (warmupMs > 0) timedLoop(fn, warmupMs);
  const { calls, ms } = timedLoop(fn, minMs);
  const ops = calls * opsPerCall;
  return { opsPerSec: (ops * 1000) / ms, ops, ms };
}

/** Operations per second of a synchronous `fn`, timed for at least `minMs`. */
export function measure(fn: () => unknown, options: MeasureOptions = {}): number {
  return measureDetailed(fn, options).opsPerSec;
}

/** Operations per second of an async `fn` (awaited one call at a time), timed for at least `minMs`. */
export async function measureAsync(fn: () => Promise<unknown>, options: MeasureOptions = {}): Promise<number> {
  const minMs = options.minMs ?? 1000;
  const warmupMs = options.warmupMs ?? Math.min(250, minMs / 4);
  const opsPerCall = options.opsPerCall ?? 1;
  const loop = async (forMs: number): Promise<{ calls: number; ms: number }> => {
    const start = performance.now();
    let calls = 0;
    let ms = 0;
    do {
      await fn();
      calls++;
      sampleMemory();
      ms = performance.now() - start;
    } while (ms < forMs);
    return { calls, ms };
  };
  if (warmupMs > 0) await loop(warmupMs);
  const { calls, ms } = await loop(minMs);
  return (calls * opsPerCall * 1000) / ms;
}

// ---------------------------------------------------------------------------------------------------------------
// Rows and results

/** A ratio row: value = numerator / denominator, both sides kept. */
export function ratioRow(name: string, numerator: Quantity, denominator: Quantity, unit = 'x'): BenchRow {
  return { name, value: numerator.value / denominator.value, unit, numerator, denominator };
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    availableParallelism: availableParallelism(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    totalMemBytes: totalmem(),
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    node: process.version,
    v8: process.versions.v8,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** A figure for people: 3 significant digits at least, thousands separated, no exponent. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatBytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The rows as an aligned text table (name, value, unit, and the sides of ratios). */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((r) => {
    const side = (q: Quantity): string => `${q.name} ${formatNumber(q.value)} ${q.unit}`;
    const detail = r.numerator && r.denominator ? `${side(r.numerator)} / ${side(r.denominator)}` : '';
    return [r.name, formatNumber(r.value), r.unit, detail];
  });
  const header = ['name', 'value', 'unit', ''];
  const all = [header, ...cells];
  const width = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) => (c === 1 ? cell.padStart(width[c]!) : cell.padEnd(width[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), width.map((w) => '-'.repeat(w)).join('  ').trimEnd(), ...cells.map(line)].join('\n');
}

/**
 * Prints the rows as a table and writes bench/results/<name>.json with the process's peak JS heap and RSS so far
 * and the machine info. Returns what it wrote.
 */
export function writeResults(name: string, rows: BenchRow[], options: { dir?: string; quiet?: boolean } = {}): BenchResults {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`bench name must be a plain file name: ${JSON.stringify(name)}`);
  for (const r of rows) {
    if (typeof r.name !== 'string' || typeof r.unit !== 'string' || typeof r.value !== 'number') {
      throw new Error(`bench row needs name, value and unit: ${JSON.stringify(r)}`);
    }
  }
  processSampler.sample();
  const finished = Date.now();
  const results: BenchResults = {
    name,
    startedAt: new Date(processStart).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - processStart,
    machine: machineInfo(),
    memory: processSampler.peak(),
    rows,
  };
  const dir = options.dir ?? RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  if (!options.quiet) {
    const m = results.machine;
    const mem = results.memory;
    console.log(`\n${name}  (${m.cpus} × ${m.cpuModel}, node ${m.node}, load ${m.loadavg.join(' ')})`);
    console.log(formatTable(rows));
    console.log(`peak heap ${formatBytes(mem.peakHeapUsed)}, peak RSS ${formatBytes(Math.max(mem.peakRss, mem.maxRss))}  → ${file}`);
  }
  return results;
}
