// A child process for the lock and daemon tests (they need a real second process: a pid, kill -9, signals).
//   lock <dataDir>    takes the data dir's lock, prints {"locked":pid}, holds it until killed
//   daemon <dataDir>  serves a fake node on the data dir's socket, prints {"serving":socket}; on SIGTERM/SIGINT
//                     stops and prints {"stopped":true,"closed":<node.close() calls>}
// Errors print {"error":{code,message,…}} and exit 1.
import { asLatticeError } from '../../host/model/errors.js';
import { serveDaemon, signalOnTermination } from '../../host/node/daemon.js';
import { acquireLock } from '../../host/node/lock.js';
import { fakeNode } from './cli-fake-node.js';

const [mode, dataDir] = process.argv.slice(2);
const print = (v: unknown): void => void process.stdout.write(JSON.stringify(v) + '\n');

try {
  if (!dataDir) throw new Error('usage: cli-child lock|daemon <dataDir>');
  if (mode === 'lock') {
    acquireLock(dataDir);
    print({ locked: process.pid });
    setInterval(() => undefined, 60_000);
  } else if (mode === 'daemon') {
    const node = fakeNode();
    const termination = signalOnTermination();
    const handle = await serveDaemon({ dataDir, node, signal: termination.signal });
    print({ serving: handle.socketPath });
    await handle.stopped;
    termination.dispose();
    print({ stopped: true, closed: node.closed });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (e) {
  print({ error: asLatticeError(e).toJSON() });
  process.exitCode = 1;
}
