import { CLI_LOCK_WAIT_MS, LatticeCommand } from '../base.js';
import { loadNode } from '../lazy.js';
import { toJson } from '../output.js';

export default class Daemon extends LatticeCommand<typeof Daemon> {
  static override summary = 'run the node in the foreground and serve local clients on <data-dir>/lattice.sock';
  static override description = 'Opens the node (holding the data dir\'s lock), syncs with peers and serves the CLI over a Unix socket (mode 0600). Stops cleanly on SIGINT or SIGTERM. With --json it prints one JSON line when it serves and one when it has stopped.';
  static override examples = ['<%= config.bin %> daemon', '<%= config.bin %> daemon --data-dir ./node-a'];

  async run(): Promise<undefined> {
    const { serveDaemon, signalOnTermination } = await import('../../host/node/daemon.js');
    const termination = signalOnTermination();
    try {
      const { openNode } = await loadNode();
      const node = await openNode({ dataDir: this.dataDir, daemon: true, lockWaitMs: CLI_LOCK_WAIT_MS });
      let handle;
      try {
        handle = await serveDaemon({ dataDir: this.dataDir, node, signal: termination.signal });
      } catch (e) {
        await node.close().catch(() => undefined);
        throw e;
      }
      this.announce({ event: 'serving', dataDir: this.dataDir, socket: handle.socketPath, pid: process.pid },
        `lattice daemon serving ${this.dataDir} on ${handle.socketPath} (pid ${process.pid})`);
      await handle.stopped;
      this.announce({ event: 'stopped', dataDir: this.dataDir }, 'lattice daemon stopped');
    } finally {
      termination.dispose();
    }
    return undefined;
  }

  private announce(json: Record<string, unknown>, text: string): void {
    if (this.jsonEnabled()) process.stdout.write(toJson(json, false) + '\n');
    else process.stderr.write(text + '\n');
  }
}
