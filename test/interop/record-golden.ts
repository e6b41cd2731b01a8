// Records Negentropy golden vectors from the REFERENCE implementation: runs hoytech/negentropy's C++ harness
// (test/cpp/harness) as both initiator and responder for each case of golden-cases.ts and writes the transcript
// to test/fixtures/negentropy/<case>.json. Not part of the test run (CI has no reference build):
//   node --import tsx test/interop/record-golden.ts /path/to/negentropy/test/cpp/harness <commit>
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { goldenCases, itemLines, itemsDigest } from './golden-cases.js';

const [harness, commit] = process.argv.slice(2);
if (!harness || !commit) throw new Error('usage: record-golden.ts <cpp harness> <reference commit>');
const outDir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/negentropy');
const EXPLICIT_MAX = 1000; // small cases list their items; large ones carry the generator's digest

function start(limit: number): { proc: ChildProcessWithoutNullStreams; next: () => Promise<string> } {
  const proc = spawn(harness!, [], { env: { ...process.env, FRAMESIZELIMIT: String(limit) } });
  const lines: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  createInterface({ input: proc.stdout }).on('line', (l) => (waiters.length ? waiters.shift()!(l) : lines.push(l)));
  proc.stderr.pipe(process.stderr);
  return { proc, next: () => (lines.length ? Promise.resolve(lines.shift()!) : new Promise((r) => waiters.push(r))) };
}

mkdirSync(outDir, { recursive: true });
for (const c of goldenCases()) {
  const a = start(c.frameSizeLimit1);
  const b = start(c.frameSizeLimit2);
  a.proc.stdin.write(itemLines(c.initiator).map((l) => `item,${l}\n`).join('') + 'seal\ninitiate\n');
  b.proc.stdin.write(itemLines(c.responder).map((l) => `item,${l}\n`).join('') + 'seal\n');
  const messages: string[] = [];
  const have: string[] = [];
  const need: string[] = [];
  for (;;) {
    const line = await a.next();
    if (line.startsWith('have,')) have.push(line.slice(5));
    else if (line.startsWith('need,')) need.push(line.slice(5));
    else if (line === 'done') break;
    else if (line.startsWith('msg,')) {
      messages.push(line.slice(4));
      b.proc.stdin.write(`${line}\n`);
      const reply = await b.next();
      if (!reply.startsWith('msg,')) throw new Error(`unexpected responder line: ${reply}`);
      messages.push(reply.slice(4));
      a.proc.stdin.write(`${reply}\n`);
    } else throw new Error(`unexpected initiator line: ${line}`);
  }
  a.proc.kill();
  b.proc.kill();
  const side = (items: typeof c.initiator) =>
    items.length <= EXPLICIT_MAX ? { items: itemLines(items), digest: itemsDigest(items) } : { count: items.length, digest: itemsDigest(items) };
  const fixture = {
    case: c.name,
    description: c.description,
    reference: { repo: 'hoytech/negentropy', commit, harness: 'test/cpp/harness.cpp (storage::Vector)' },
    frameSizeLimit1: c.frameSizeLimit1,
    frameSizeLimit2: c.frameSizeLimit2,
    initiator: side(c.initiator),
    responder: side(c.responder),
    messages,
    have: have.sort(),
    need: need.sort(),
  };
  writeFileSync(join(outDir, `${c.name}.json`), JSON.stringify(fixture, null, 1) + '\n');
  console.log(`${c.name}: ${c.initiator.length}/${c.responder.length} items, ${messages.length} messages, ${have.length} have, ${need.length} need`);
}
