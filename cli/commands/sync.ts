import { Args } from '@oclif/core';
import { LatticeError } from '../../host/model/errors.js';
import type { SyncSummary } from '../../host/node/api.js';
import { LatticeCommand, meshFlag } from '../base.js';

export default class Sync extends LatticeCommand<typeof Sync> {
  static override summary = 'reconcile stores with connected peers now';
  static override description = 'Runs a symmetric sync session with every reachable peer, for one store or for all of them. Members it could not reach are listed under unreachable; when it reached none of them it fails (E_PEER_UNREACHABLE, or E_UNAUTHORIZED when a member closed on this node because it is revoked).';
  static override args = { store: Args.string({ description: 'store id, id prefix or name (default: every store)' }) };
  static override flags = { mesh: meshFlag };
  static override examples = ['<%= config.bin %> sync', '<%= config.bin %> sync notes --json'];

  async run(): Promise<SyncSummary> {
    const summary = await this.withNode(async (node) => {
      await this.checkMesh(node, this.flags.mesh);
      this.progress('syncing…');
      return node.sync(this.args.store, this.flags.mesh);
    });
    if (summary.peers === 0 && summary.unreachable.length > 0) {
      // A member that closed on this node because it is revoked says more than any offline one.
      const revoked = summary.unreachable.some((f) => f.code === 'E_UNAUTHORIZED');
      const first = summary.unreachable[0]!;
      throw new LatticeError(
        revoked ? 'E_UNAUTHORIZED' : 'E_PEER_UNREACHABLE',
        revoked
          ? 'no peer would sync: this node is revoked from the mesh'
          : `no peer could be reached (${summary.unreachable.length}): ${first.nodeId.slice(0, 12)}… ${first.message}`,
        { unreachable: summary.unreachable },
      );
    }
    return summary;
  }
}
