// Child process of kill.test.ts: opens a node and publishes a module as a hot-fix, printing one JSON line per replay
// batch ({event: 'progress', done, total}) so the parent can kill it mid-replay, and {event: 'done'} at the end.
// argv: <dataDir> <wasm file> <store type> [hold]: replay batches of 500 seqs; with `hold`, the child stops for up to 60 s after its first
// progress line (blocking, so no further batch runs), so the parent's kill lands mid-replay however loaded the machine.
import { readFileSync } from 'node:fs';
import { openNode } from '../../../host/node/node.js';
import { publishModule } from '../../../host/node/publish.js';

const [dataDir, wasmFile, storeType, hold] = process.argv.slice(2) as [string, string, string, string | undefined];
let held = false;
const node = await openNode({ dataDir });
const print = (o: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(o) + '\n');
print({ event: 'open', pid: process.pid });
const result = await publishModule(node, new Uint8Array(readFileSync(wasmFile)), storeType, undefined, {
  batchSize: 500,
  onProgress: (storeId, done, total) => {
    print({ event: 'progress', storeId, done, total });
    if (hold === 'hold' && !held) {
      held = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    }
  },
});
print({ event: 'done', result });
await node.close();
