// The base of every `lattice` command: global flags (--data-dir, --json), the output and error contract, and
// withNode(), which talks to the daemon when one serves the data dir and otherwise opens the node embedded.
import { Command, Flags, type Interfaces } from '@oclif/core';
import type { NodeApi } from '../host/node/api.js';
import { connectDaemon } from '../host/node/client.js';
import { checkDataDir, dataDirPaths, MAX_SOCKET_PATH, resolveDataDir } from '../host/node/data-dir.js';
import { LatticeError } from '../host/model/errors.js';
import { badArguments, isExitRequest, reportError } from './errors.js';
import { loadNode } from './lazy.js';
import { renderText, toJson } from './output.js';

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof LatticeCommand)['baseFlags'] & T['flags']>;
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** --mesh, on the commands that act on a mesh. */
/**
 * How long a command waits for another process to let go of the data dir before E_DATA_DIR_LOCKED: short commands
 * run back to back or side by side (a script, a `status` poll) then take turns instead of failing.
 */
export const CLI_LOCK_WAIT_MS = 3000;

export const meshFlag = Flags.string({
  description: 'the mesh to act on (id, unambiguous id prefix or name); must be a mesh this node belongs to',
  helpValue: '<id>',
});

export abstract class LatticeCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    'data-dir': Flags.string({
      description: 'the node\'s data directory [default: $LATTICE_HOME, else ~/.lattice]',
      helpGroup: 'GLOBAL',
      helpValue: '<dir>',
    }),
  };

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;
  /** Every positional argument in order (commands with variadic arguments read the tail from here). */
  protected positional: string[] = [];

  protected override async init(): Promise<void> {
    await super.init();
    let parsed;
    try {
      parsed = await this.parse({
        flags: this.ctor.flags,
        baseFlags: (super.ctor as typeof LatticeCommand).baseFlags,
        enableJsonFlag: this.ctor.enableJsonFlag,
        args: this.ctor.args,
        strict: this.ctor.strict,
      });
    } catch (e) {
      throw badArguments(e);
    }
    const { args, flags, raw } = parsed;
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
    // In the order typed. (oclif's `argv` is sorted by where each value first occurs on the command line, so a
    // positional equal to an earlier flag's value, `--data-dir k1 … increment k1`, moved before the method.)
    this.positional = raw.filter((t) => t.type === 'arg').map((t) => String(t.input));
  }

  /** The resolved data dir (absolute); E_DATA_DIR_INVALID for an empty --data-dir or a path that is no directory. */
  protected get dataDir(): string {
    const flag = this.flags['data-dir'];
    if (flag !== undefined && flag.trim() === '') {
      throw new LatticeError('E_DATA_DIR_INVALID', '--data-dir is empty: name a directory, or leave the flag out to use $LATTICE_HOME, else ~/.lattice');
    }
    return checkDataDir(resolveDataDir(flag));
  }

  /** Runs `fn` on the daemon's node if one answers on the data dir's socket, else on the node opened here. */
  protected async withNode<R>(fn: (node: NodeApi) => Promise<R>): Promise<R> {
    const node = await this.openNode();
    let result: R;
    try {
      result = await fn(node);
    } catch (e) {
      await node.close().catch(() => undefined); // the first error is the one to report
      throw e;
    }
    await node.close();
    return result;
  }

  protected async openNode(): Promise<NodeApi> {
    const dataDir = this.dataDir;
    const { socket } = dataDirPaths(dataDir);
    // A data dir too deep for a Unix socket path cannot have a daemon; the node is opened embedded.
    if (Buffer.byteLength(socket) <= MAX_SOCKET_PATH) {
      const client = await connectDaemon(socket);
      if (client) return client;
    }
    const { openNode } = await loadNode();
    return openNode({ dataDir, lockWaitMs: CLI_LOCK_WAIT_MS });
  }

  /** Checks --mesh against the meshes the node belongs to (the node acts on its mesh). */
  protected async checkMesh(node: NodeApi, mesh: string | undefined): Promise<void> {
    if (mesh === undefined) return;
    const { meshes } = await node.status();
    const want = mesh.toLowerCase();
    const found = meshes.filter((m) => m.meshId.startsWith(want) || m.name === mesh);
    if (found.length === 1) return;
    const known = meshes.map((m) => m.meshId);
    if (found.length === 0) throw new LatticeError('E_NO_MESH', `this node belongs to no mesh matching ${mesh}`, { mesh, meshes: known });
    throw new LatticeError('E_NO_MESH', `${mesh} matches several meshes`, { mesh, meshes: found.map((m) => m.meshId) });
  }

  /** A progress line for long work: shown on a terminal, never with --json or when stderr is piped. */
  protected progress(line: string): void {
    if (!this.jsonEnabled() && process.stderr.isTTY) process.stderr.write(`${line}\n`);
  }

  /** The plain-text form of a result (without --json). */
  protected renderText(result: unknown): string {
    return renderText(result);
  }

  protected override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    if (result !== undefined && !this.jsonEnabled()) this.log(this.renderText(result));
    return result;
  }

  protected override logJson(json: unknown): void {
    process.stdout.write(toJson(json) + '\n');
  }

  protected override async catch(err: Error): Promise<void> {
    if (isExitRequest(err)) throw err;
    reportError(err, this.jsonEnabled());
  }
}
