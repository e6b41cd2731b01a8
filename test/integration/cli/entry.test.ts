// The `lattice` entry point as a user runs it (node bin/lattice.js): the help lists every topic of the contract, and
// whatever the parser refuses is a typed E_BAD_ARGUMENT in the contract's two formats, exit 1.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, tempDir } from '../../helpers/cli-run.js';

beforeAll(ensureCliBuilt, 180_000);

describe('lattice entry point', () => {
  it('--help lists every topic and command of the contract', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const topic of ['init', 'daemon', 'status', 'module', 'store', 'peer', 'sync', 'demo']) {
      expect(stdout).toMatch(new RegExp(`^\\s+${topic}\\b`, 'm'));
    }
    const store = await runCli(['store', '--help']);
    for (const verb of ['create', 'list', 'info', 'exec', 'query', 'history', 'watch', 'verify', 'resume', 'rebuild']) {
      expect(store.stdout).toMatch(new RegExp(`^\\s+store ${verb}\\b`, 'm'));
    }
    const mod = await runCli(['module', '--help']);
    for (const verb of ['init', 'build', 'test', 'publish', 'list', 'show', 'verify']) expect(mod.stdout).toMatch(new RegExp(`^\\s+module ${verb}\\b`, 'm'));
    const peer = await runCli(['peer', '--help']);
    for (const verb of ['invite', 'join', 'list', 'revoke']) expect(peer.stdout).toMatch(new RegExp(`^\\s+peer ${verb}\\b`, 'm'));
  });

  it('lattice help <command> shows that command; an unknown one is a typed error', async () => {
    const help = await runCli(['help', 'store', 'exec']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('$ lattice store exec STORE METHOD [ARGS...]');
    const unknown = await runCli(['help', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error\[E_BAD_ARGUMENT\]: .*nope/);
  });

  it('lattice help --json: the commands of lattice or a topic, or one command as data; an unknown one is a typed error', async () => {
    const all = await runCli(['help', '--json']);
    expect(all.code).toBe(0);
    expect(all.json.commands.map((c: { command: string }) => c.command)).toContain('store exec');
    const topic = await runCli(['help', 'peer', '--json']);
    expect(topic.json.commands.map((c: { command: string }) => c.command)).toEqual(['peer invite', 'peer join', 'peer list', 'peer revoke']);
    const one = await runCli(['help', 'store', 'exec', '--json']);
    expect(one.json).toMatchObject({ command: 'store exec', usage: 'lattice store exec STORE METHOD [ARGS...]' });
    expect(one.json.args.map((a: { name: string }) => a.name)).toEqual(['store', 'method', 'args']);
    expect(one.json.flags.map((f: { name: string }) => f.name)).toContain('--data-dir');
    const unknown = await runCli(['help', 'nope', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.json.error.code).toBe('E_BAD_ARGUMENT');
  });

  it('every command documents --json and --data-dir', async () => {
    const { stdout } = await runCli(['store', 'exec', '--help']);
    expect(stdout).toContain('--json');
    expect(stdout).toContain('--data-dir=<dir>');
  });

  const refusals: [string, string[], RegExp][] = [
    ['missing arguments', ['store', 'exec'], /^Missing 2 required args: store \(store id, unambiguous id prefix, or name\), method \(the command method\)$/],
    ['an unexpected argument', ['store', 'info', 'a', 'b'], /Unexpected argument: b/],
    ['an unknown flag', ['store', 'list', '--bogus'], /Nonexistent flag: --bogus/],
    ['a flag that is not an integer', ['store', 'history', 's', '--from', 'x'], /Expected an integer/],
    ['a missing required flag', ['store', 'create'], /^Missing required flag type/],
    ['an unknown command', ['frobnicate'], /no such command: lattice frobnicate/],
    ['an unknown subcommand', ['store', 'frob'], /no such command: lattice store frob/],
  ];

  for (const [what, args, message] of refusals) {
    it(`refuses ${what} with E_BAD_ARGUMENT as JSON on stdout, exit 1`, async () => {
      const r = await runCli([...args, '--json']);
      expect(r.code).toBe(1);
      expect(r.json?.error?.code).toBe('E_BAD_ARGUMENT');
      expect(r.json.error.message).toMatch(message);
      expect(Object.keys(r.json)).toEqual(['error']);
    });
  }

  it('without --json, an error is one line error[E_…]: message on stderr, exit 1', async () => {
    const r = await runCli(['store', 'info']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error\[E_BAD_ARGUMENT\]: Missing 1 required arg/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('module verify of a directory that is no module is a typed build error', async (t) => {
    const dir = tempDir(t);
    const r = await runCli(['module', 'verify', dir, `b3:${'0'.repeat(64)}`, '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('E_BUILD_FAILED');
    // a CID that is no CID is refused before any build
    const typo = await runCli(['module', 'verify', dir, 'b3:00', '--json']);
    expect(typo.json.error.code).toBe('E_BAD_ARGUMENT');
  });

  it('module publish of a file that is not WebAssembly is refused before any node is opened', async (t) => {
    const dir = tempDir(t);
    const r = await runCli(['module', 'publish', `${process.cwd()}/package.json`, '--type', 'acme:x', '--data-dir', dir, '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('E_MODULE_INVALID');
  });
});
