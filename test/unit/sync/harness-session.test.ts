// The interop harness's line protocol (test/interop/harness-session.ts), including the reference's
// protocol-upgrade scenario (test/protoversion.pl) and a two-session run over text lines.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isLatticeError } from '../../../host/model/errors.js';
import { HarnessSession } from '../../interop/harness-session.js';

const E = 'e'.repeat(64);

describe('negentropy interop harness session', () => {
  it('falls back to protocol version 1 as protoversion.pl expects', () => {
    const expected = new HarnessSession();
    expected.line(`item,12345,${E}`);
    expected.line('seal');
    const [want] = expected.line('msg,6100000200');
    expect(want).toBe(`msg,6100000201${E}`);
    const s = new HarnessSession();
    s.line(`item,12345,${E}`);
    s.line('seal');
    expect(s.line('msg,62aabbccddeeff')).toEqual(['msg,61']);
    expect(s.line('msg,6100000200')).toEqual([want]);
  });

  it('two sessions reconcile over harness lines, with u64 timestamps', () => {
    const a = new HarnessSession(4096);
    const b = new HarnessSession(4096);
    const id = (i: number): string => i.toString(16).padStart(64, '0');
    for (let i = 0; i < 500; i++) {
      const ts = 18446744073709551000n + BigInt(i);
      if (i % 10 !== 1) a.line(`item,${ts},${id(i)}`);
      if (i % 10 !== 2) b.line(`item,${ts},${id(i)}`);
    }
    a.line('seal');
    b.line('seal');
    let out = a.line('initiate');
    const have: string[] = [];
    const need: string[] = [];
    for (let round = 0; round < 50; round++) {
      const reply = b.line(out[0]!);
      out = a.line(reply[0]!);
      for (const l of out) if (l.startsWith('have,')) have.push(l.slice(5));
      for (const l of out) if (l.startsWith('need,')) need.push(l.slice(5));
      if (out.at(-1) === 'done') break;
      out = out.filter((l) => l.startsWith('msg,'));
    }
    expect(out.at(-1)).toBe('done');
    expect(have.sort()).toEqual(Array.from({ length: 50 }, (_, k) => id(k * 10 + 2)).sort());
    expect(need.sort()).toEqual(Array.from({ length: 50 }, (_, k) => id(k * 10 + 1)).sort());
  });

  it('the executable harness answers over stdin/stdout, and fails loudly on a bad frame', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), '../../interop/negentropy-harness');
    const run = (input: string, env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [script], { input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
    const ok = run(`item,12345,${E}\nseal\nmsg,62aabbccddeeff\nmsg,6100000200\n`, { FRAMESIZELIMIT: '4096' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`msg,61\nmsg,6100000201${E}\n`);
    const bad = run('seal\nmsg,61ff\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/E_BAD_FRAME/);
  });

  it('rejects unknown commands and bad items with typed errors', () => {
    const s = new HarnessSession();
    for (const line of ['bogus', 'item,1', 'item,x,00', `item,-1,${E}`, 'initiate']) {
      try {
        s.line(line);
        expect.unreachable(line);
      } catch (e) {
        expect(isLatticeError(e), line).toBe(true);
      }
    }
  });
});
