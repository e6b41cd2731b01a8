#!/usr/bin/env node
// The Negentropy interop harness: `node test/interop/negentropy-harness` speaks the reference's stdin/stdout
// protocol (FRAMESIZELIMIT from the environment), so hoytech/negentropy's test.pl / fuzz.pl can drive Lattice's
// reconciler in either role. Registers tsx to load the TypeScript sources directly.
import { createInterface } from 'node:readline';
import { register } from 'tsx/esm/api';

register();
const { HarnessSession } = await import('./harness-session.ts');

const session = new HarnessSession(process.env.FRAMESIZELIMIT ? Number(process.env.FRAMESIZELIMIT) : 0);
const rl = createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  let out;
  try {
    out = session.line(line);
  } catch (e) {
    process.stderr.write(`negentropy-harness: ${e && e.code ? `error[${e.code}]: ` : ''}${e && e.message ? e.message : e}\n`);
    process.exit(1);
  }
  // one write per command: pipes are synchronous on Linux, and the driver waits for each reply
  if (out.length) process.stdout.write(out.join('\n') + '\n');
});
rl.on('close', () => process.exit(0));
