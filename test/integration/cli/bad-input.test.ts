// Bad input of every kind gets a typed error naming what is wrong, quickly, and touches no data: a damaged invite
// token, a damaged config.json or node.key, a data dir that is a file, empty or cannot be created, an LMDB file that
// is empty or truncated (E_STORAGE_CORRUPT, never a crash or a silently empty node).
import { mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, tempDir } from '../../helpers/cli-run.js';

beforeAll(ensureCliBuilt, 180_000);

const lat = (args: string[], timeoutMs = 30_000) => runCli([...args, '--json'], { timeoutMs, env: { LATTICE_HOME: '/nonexistent/lattice-home' } });
const refused = (r: { code: number | null; json: any }, code: string): { code: string; message: string } => {
  expect(r.code).toBe(1);
  expect(r.json?.error?.code).toBe(code);
  return r.json.error;
};

describe('bad input from the command line', { timeout: 120_000 }, () => {
  it('a damaged invite token is E_INVITE_INVALID without a Rust backtrace or source path', async (t) => {
    const dir = join(tempDir(t), 'joiner');
    expect((await lat(['init', '--data-dir', dir])).code).toBe(0);
    const inviter = join(tempDir(t), 'inviter');
    expect((await lat(['init', '--data-dir', inviter])).code).toBe(0);
    const { token } = (await lat(['peer', 'invite', '--data-dir', inviter])).json as { token: string };
    for (const i of [12, 40, 60, token.length - 3]) {
      const bad = token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1);
      const started = Date.now();
      const err = refused(await lat(['peer', 'join', bad, '--data-dir', dir]), 'E_INVITE_INVALID');
      expect(err.message).toMatch(/^the invite token is corrupt/);
      expect(err.message).not.toMatch(/backtrace|\.rs:\d/);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });

  it('a damaged config.json or node.key is E_DATA_DIR_CORRUPT naming the file', async (t) => {
    const dir = join(tempDir(t), 'node');
    expect((await lat(['init', '--data-dir', dir])).code).toBe(0);
    const config = join(dir, 'config.json');
    writeFileSync(config, '{garbage\n');
    for (const args of [['status'], ['store', 'create', '--type', 'demo:counter', '--name', 'c'], ['store', 'list']]) {
      const err = refused(await lat([...args, '--data-dir', dir]), 'E_DATA_DIR_CORRUPT');
      expect(err.message).toContain(`${config} is not valid JSON`);
      expect(err.message).toMatch(/restore it from a backup/);
    }
    writeFileSync(config, '[1, 2]\n');
    expect(refused(await lat(['status', '--data-dir', dir]), 'E_DATA_DIR_CORRUPT').message).toContain(config);
    writeFileSync(config, JSON.stringify({ meshes: [], port: 0 }));
    writeFileSync(join(dir, 'node.key'), 'xx\n');
    const err = refused(await lat(['status', '--data-dir', dir]), 'E_DATA_DIR_CORRUPT');
    expect(err.message).toContain(`${join(dir, 'node.key')} does not hold a node key`);
  });

  it('an empty or truncated data.mdb is E_STORAGE_CORRUPT, not a crash or an empty node', async (t) => {
    const dir = join(tempDir(t), 'node');
    expect((await lat(['init', '--data-dir', dir])).code).toBe(0);
    expect((await lat(['store', 'create', '--type', 'demo:counter', '--name', 'c', '--data-dir', dir])).code).toBe(0);
    const file = join(dir, 'lmdb', 'data.mdb');
    const original = readFileSync(file);
    for (const damage of [() => writeFileSync(file, ''), () => truncateSync(file, Math.floor(statSync(file).size / 2))]) {
      writeFileSync(file, original);
      damage();
      const err = refused(await lat(['store', 'list', '--data-dir', dir]), 'E_STORAGE_CORRUPT');
      expect(err.message).toContain(file);
    }
    writeFileSync(file, original);
    expect((await lat(['store', 'list', '--data-dir', dir])).json.stores).toHaveLength(1);
  });

  it('a data dir that is a file, under a file, empty or under /proc is E_DATA_DIR_INVALID, quickly', async (t) => {
    const root = tempDir(t);
    const file = join(root, 'afile');
    writeFileSync(file, 'not a directory\n');
    for (const cmd of [['init'], ['status'], ['store', 'list']]) {
      const err = refused(await lat([...cmd, '--data-dir', file]), 'E_DATA_DIR_INVALID');
      expect(err.message).toContain(`${file} is not a directory`);
    }
    expect(refused(await lat(['init', '--data-dir', join(file, 'sub')]), 'E_DATA_DIR_INVALID').message).toContain(`${file} is a file`);
    for (const flag of [['--data-dir', ''], ['--data-dir=']]) {
      expect(refused(await lat(['status', ...flag]), 'E_DATA_DIR_INVALID').message).toMatch(/--data-dir is empty/);
    }
    const started = Date.now();
    const proc = refused(await lat(['init', '--data-dir', '/proc/lattice-test/node'], 20_000), 'E_DATA_DIR_INVALID');
    expect(proc.message).toMatch(/cannot create the data dir \/proc\/lattice-test\/node/);
    // /proc itself exists and root passes access(W_OK) there, but nothing can be written in it
    expect(refused(await lat(['init', '--data-dir', '/proc'], 20_000), 'E_DATA_DIR_INVALID').message).toMatch(/not writable/);
    expect(Date.now() - started).toBeLessThan(15_000);
    // A good path with missing parents is still created.
    const deep = join(root, 'a', 'b', 'node');
    mkdirSync(join(root, 'a'));
    expect((await lat(['init', '--data-dir', deep])).code).toBe(0);
  });
});
