// `npm run bench [-- name…]`: runs every bench/*.ts (except the harness and helpers in NOT_BENCHES, and files
// starting with `_`) one after another, each in its own `node --import tsx` process so one bench's heap never shows
// in another's figures.
// Names filter by substring of the file name. Prints a summary; exits non-zero if any bench fails or none matches.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes, RESULTS_DIR, type BenchResults } from './lib.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
/** The harness and the helpers benches import (they measure nothing on their own). */
const NOT_BENCHES = new Set(['lib.ts', 'run.ts', 'verify-bound.ts', 'ingest-floor.ts']);

function listBenches(filters: readonly string[]): string[] {
  const all = readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !NOT_BENCHES.has(f) && !f.startsWith('_'))
    .sort();
  if (filters.length === 0) return all;
  return all.filter((f) => filters.some((q) => basename(f, '.ts').includes(q)));
}

interface Outcome {
  file: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  results: BenchResults[];
}

function run(file: string): Promise<Omit<Outcome, 'results'>> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, file)], { stdio: 'inherit', cwd: join(benchDir, '..') });
    child.on('error', (err) => {
      console.error(`bench ${file}: could not start: ${err.message}`);
      resolve({ file, code: -1, signal: null, ms: performance.now() - started });
    });
    child.on('exit', (code, signal) => resolve({ file, code, signal, ms: performance.now() - started }));
  });
}

/** Result files written since `sinceMs` (a bench may write more than one, under any name). */
function freshResults(sinceMs: number): BenchResults[] {
  let names: string[];
  try {
    names = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const out: BenchResults[] = [];
  for (const f of names) {
    const path = join(RESULTS_DIR, f);
    if (statSync(path).mtimeMs < sinceMs) continue;
    try {
      out.push(JSON.parse(readFileSync(path, 'utf8')) as BenchResults);
    } catch (e) {
      console.error(`bench: ${path} is not valid JSON: ${(e as Error).message}`);
    }
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = listBenches(filters);
if (files.length === 0) {
  console.error(`bench: no bench matches ${filters.map((f) => JSON.stringify(f)).join(', ') || '(none found in bench/)'}`);
  process.exit(1);
}

const outcomes: Outcome[] = [];
for (const file of files) {
  console.log(`\n=== bench ${file}`);
  const since = Date.now() - 1; // mtime granularity
  const o = await run(file);
  outcomes.push({ ...o, results: freshResults(since) });
}

console.log('\n=== summary');
const width = Math.max(...outcomes.map((o) => o.file.length));
for (const o of outcomes) {
  const ok = o.code === 0;
  const status = ok ? 'ok  ' : `FAIL (${o.signal ?? `exit ${o.code}`})`;
  const written = o.results.map((r) => `${r.name}.json: ${r.rows.length} rows, peak heap ${formatBytes(r.memory.peakHeapUsed)}`).join('; ');
  const note = ok && o.results.length === 0 ? 'wrote no results' : written;
  console.log(`${o.file.padEnd(width)}  ${status}  ${(o.ms / 1000).toFixed(1).padStart(6)} s  ${note}`);
}
const failed = outcomes.filter((o) => o.code !== 0);
if (failed.length > 0) {
  console.error(`\n${failed.length} of ${outcomes.length} bench(es) failed: ${failed.map((o) => o.file).join(', ')}`);
  process.exit(1);
}
