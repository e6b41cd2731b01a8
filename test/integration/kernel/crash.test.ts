// SIGKILL during ingest, 50 times (scripts/crash-trials.ts runs 200): see test/helpers/kernel-crash.ts.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild, checkAfterCrash, disposeTrialSetup, newTrialSetup, runAndKill } from '../../helpers/kernel-crash.js';
import { rng } from '../../helpers/kernel-node.js';

const TRIALS = 50;
let bundleDir: string;
let childPath: string;

beforeAll(async () => {
  childPath = await bundleChild();
  bundleDir = dirname(childPath);
});
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

describe('crash safety', () => {
  it(`survives ${TRIALS} SIGKILLs during ingest`, async () => {
    // Two data dirs side by side (2 cores), TRIALS/2 kills each.
    const runs = [1, 2].map(async (lane) => {
      const setup = newTrialSetup(childPath);
      const random = rng(Number(process.env.CRASH_SEED ?? 12345) + lane);
      try {
        let last = { seq: 0, committed: 0, localChain: 0 };
        for (let trial = 0; trial < TRIALS / 2; trial++) {
          const { lines } = await runAndKill(setup, lane * 1000 + trial, Math.floor(random() * 200));
          last = await checkAfterCrash(setup, lines, trial % 5 === 4); // full verify() every 5th restart and the last
        }
        return last;
      } finally {
        disposeTrialSetup(setup);
      }
    });
    for (const last of await Promise.all(runs)) {
      expect(last.committed).toBeGreaterThan(50); // the kills landed while work was going on
      expect(last.localChain).toBeGreaterThan(5);
    }
  }, 120_000);
});
