// The simulator on 5 nodes: it must converge (equal state hashes) through a partition, dropped links and lost
// connects, and report its figures.
import { expect, it } from 'vitest';
import { runSim } from './sim.js';

it('five nodes converge after a partition heals, with lost connects and dropped links', { timeout: 90_000 }, async () => {
  const r = await runSim({ nodes: 5, writesPerNode: 6, seed: 3, connectLoss: 0.1, dropRate: 0.2 });
  expect(r.converged).toBe(true);
  expect(r.writes).toBe(30);
  expect(r.roundsToConvergence).toBeGreaterThanOrEqual(1); // the partition left work for anti-entropy
  expect(r.messages).toBeGreaterThan(0);
  expect(r.bytes).toBeGreaterThan(r.messages);
  expect(r.stateHash).toMatch(/^[0-9a-f]{64}$/);
});
