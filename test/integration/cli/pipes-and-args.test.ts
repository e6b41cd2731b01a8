// The CLI as a script meets it: an answer larger than a pipe's buffer arrives whole, and a positional argument
// equal to a flag's value stays where it was typed.
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, tempDir } from '../../helpers/cli-run.js';

beforeAll(ensureCliBuilt, 180_000);

it('a --json answer over 64 KiB reaches a pipe whole', { timeout: 120_000 }, async (t) => {
  const d = join(tempDir(t), 'n');
  expect((await runCli(['init', '--data-dir', d])).code).toBe(0);
  expect((await runCli(['store', 'create', '--type', 'core:kvstore', '--name', 'kv', '--data-dir', d])).code).toBe(0);
  const puts = Array.from({ length: 300 }, (_, i) => `put:key-${i}=${'v'.repeat(300)}`);
  expect((await runCli(['store', 'exec', 'kv', 'batch', ...puts, '--data-dir', d])).code).toBe(0);
  const r = await runCli(['store', 'query', 'kv', 'list', '--json', '--data-dir', d]);
  expect(r.code).toBe(0);
  expect(r.stdout.length).toBeGreaterThan(65_536);
  expect(r.json?.result).toHaveLength(300);
});

it('a positional argument equal to an earlier flag value keeps its place', { timeout: 120_000 }, async (t) => {
  const d = join(tempDir(t), 'k1');
  expect((await runCli(['init', '--data-dir', d])).code).toBe(0);
  expect((await runCli(['store', 'create', '--type', 'demo:counter', '--name', 'c', '--data-dir', d])).code).toBe(0);
  // the key is the data dir's own path: oclif's argv moved it before the method
  expect((await runCli(['store', 'exec', '--data-dir', d, 'c', 'increment', d, '3'])).code).toBe(0);
  const list = await runCli(['store', 'query', '--data-dir', d, 'c', 'list', '--json']);
  expect(list.json.result).toEqual([[d, 3]]);
  expect((await runCli(['store', 'query', '--data-dir', d, 'c', 'get', d, '--json'])).json.result).toBe(3);
});
