// Running things as a user does: the real `lattice` entry point (node bin/lattice.js) and helper child processes.
// The CLI runs from dist/, so the first caller in a test run builds it (TypeScript only) unless dist is newer than
// every source file; a lock directory keeps two test files from building at once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'vitest';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'lattice.js');
const MANIFEST = join(ROOT, 'dist', 'cli', 'oclif.manifest.json');

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (name.endsWith('.ts') || name.endsWith('.mjs')) newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try { return statSync(MANIFEST).mtimeMs; } catch { return 0; }
}

/** Builds dist/ (tsc + oclif manifest) when a source is newer than the last build. */
export async function ensureCliBuilt(): Promise<void> {
  const lock = join(tmpdir(), 'lattice-cli-build.lock');
  for (;;) {
    const stale = (): boolean => builtAt() < Math.max(...['cli', 'host', 'abi'].map((d) => newestSource(join(ROOT, d))));
    if (!stale()) return;
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is building; a lock older than two minutes was left by a crashed run.
      try { if (Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock); } catch { /* gone already */ }
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if (!stale()) return;
      const startedAt = Date.now();
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--cli-only'], { cwd: ROOT, encoding: 'utf8' });
      // Type errors in files other engineers are still writing do not stop tsc from emitting; the CLI tests run on
      // that output (npm test's typecheck reports the errors). Anything else that fails the build fails the tests.
      if (r.status !== 0 && (builtAt() < startedAt || !/error TS\d+/.test(r.stdout + r.stderr))) {
        throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
      }
      return;
    } finally {
      rmdirSync(lock);
    }
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined if it is not one JSON document). */
  json: any;
}

/** Runs `lattice <args>`; resolves when it exits. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: unknown;
      try { json = JSON.parse(stdout); } catch { json = undefined; }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** A temp dir removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'lattice-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Child {
  readonly proc: ChildProcess;
  /** The next stdout line parsed as JSON. */
  nextLine(timeoutMs?: number): Promise<any>;
  exited: Promise<number | null>;
}

/** Spawns a process whose stdout is JSON lines; killed (SIGKILL) when the test ends. */
export function spawnChild(t: TestContext, args: string[], opts: { tsx?: boolean } = {}): Child {
  const argv = opts.tsx ? ['--import', 'tsx', ...args] : args;
  const proc = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  t.onTestFinished(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buf = '';
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    exited,
    nextLine(timeoutMs = 20_000) {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(JSON.parse(ready));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line from ${args.join(' ')} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push((line) => {
          clearTimeout(timer);
          try { resolve(JSON.parse(line)); } catch (e) { reject(e); }
        });
      });
    },
  };
}

/** The child script of the lock and daemon tests. */
export const CHILD = join(ROOT, 'test', 'helpers', 'cli-child.ts');
