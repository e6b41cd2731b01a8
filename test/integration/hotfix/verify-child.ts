// Child process of verify-kill.test.ts: opens a node holding a received ModuleUpgrade whose module it lacks, makes
// the module's bytes arrive, and prints one JSON line per batch of the gate's replay ({event: 'progress', done,
// total}); after the first it blocks for up to 60 s (no further batch runs) so the parent's SIGKILL lands
// mid-verification however loaded the machine. argv: <dataDir> <wasm file>.
import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS } from '../../../host/model/index.js';
import { openNode } from '../../../host/node/node.js';

const [dataDir, wasmFile] = process.argv.slice(2) as [string, string];
const print = (o: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(o) + '\n');
const node = await openNode({ dataDir });
let held = false;
node.upgrades.replayOptions = {
  batchSize: 100,
  onProgress: (done, total) => {
    print({ event: 'progress', done, total });
    if (!held) {
      held = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    }
  },
};
print({ event: 'open', pid: process.pid });
await node.runtime.publish(new Uint8Array(readFileSync(wasmFile)), DEFAULT_LIMITS); // the module's bytes arrive: the gate's retry verifies
// The retry runs within its backoff (1 s at first); without a kill, wait for the verdict (at most 60 s).
const m = node.upgrades.metrics;
for (let i = 0; i < 600 && m.passed + m.diverged + m.failed === 0; i++) await new Promise((r) => setTimeout(r, 100));
print({ event: 'done', metrics: node.upgrades.metrics });
await node.close();
