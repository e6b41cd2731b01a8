// `npm run sim`: runs the N-node simulator and prints its figures as JSON; exits 1 unless every node ends with the
// same state hash. Options: --nodes N (default 20), --writes W per node, --seed S, --loss P (lost connects).
import { runSim } from './sim.js';

const arg = (name: string): number | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
};

const nodes = arg('nodes') ?? 20;
const writes = arg('writes');
const seed = arg('seed');
const loss = arg('loss');
const result = await runSim({
  nodes,
  ...(writes !== undefined ? { writesPerNode: writes } : {}),
  ...(seed !== undefined ? { seed } : {}),
  ...(loss !== undefined ? { connectLoss: loss } : {}),
  log: (l) => process.stderr.write(`sim: ${l}\n`),
});
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
process.exit(result.converged ? 0 : 1);
