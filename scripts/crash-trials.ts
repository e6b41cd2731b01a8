// 200 SIGKILL crash trials (the test suite runs 50): `node --import tsx scripts/crash-trials.ts [trials] [seed]`.
// Each trial runs the kernel crash child (test/helpers/kernel-crash-child.ts) on a data dir, kills it with SIGKILL at
// a random moment and checks the store: chain verifies, reported commits are there, state hash equals a replay,
// no two local intentions on one storePrev. Prints a JSON summary; exits 1 on the first failed check.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleChild, checkAfterCrash, disposeTrialSetup, newTrialSetup, runAndKill } from '../test/helpers/kernel-crash.js';
import { rng } from '../test/helpers/kernel-random.js';

const trials = Number(process.argv[2] ?? 200);
const seed = Number(process.argv[3] ?? Date.now() % 1e9);
const childPath = await bundleChild();
const setup = newTrialSetup(childPath);
const random = rng(seed);
const started = Date.now();
let last = { seq: 0, committed: 0, localChain: 0 };
let failure: string | undefined;
let done = 0;
try {
  for (; done < trials; done++) {
    const killAfterMs = Math.floor(random() * 300);
    const { lines } = await runAndKill(setup, seed + done, killAfterMs);
    try {
      last = await checkAfterCrash(setup, lines, done % 10 === 9 || done === trials - 1); // full verify() every 10th and the last
    } catch (e) {
      failure = `trial ${done + 1} (kill after ${killAfterMs} ms): ${(e as Error).message}`;
      break;
    }
    if ((done + 1) % 20 === 0) process.stderr.write(`${done + 1}/${trials} trials, seq ${last.seq}\n`);
  }
} finally {
  disposeTrialSetup(setup);
  rmSync(dirname(childPath), { recursive: true, force: true });
}
console.log(JSON.stringify({ trials: done, seed, failure: failure ?? null, finalSeq: last.seq, committedReported: last.committed, localChain: last.localChain, durationMs: Date.now() - started }, null, 2));
process.exit(failure ? 1 : 0);
