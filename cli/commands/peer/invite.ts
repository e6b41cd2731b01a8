import { Flags } from '@oclif/core';
import { LatticeCommand, meshFlag } from '../../base.js';

export default class PeerInvite extends LatticeCommand<typeof PeerInvite> {
  static override summary = 'create a one-time invite token for a new peer';
  static override flags = {
    expires: Flags.integer({ description: 'seconds until the invite expires', min: 1, helpValue: '<seconds>' }),
    mesh: meshFlag,
  };
  static override examples = ['<%= config.bin %> peer invite', '<%= config.bin %> peer invite --expires 600 --json'];

  async run(): Promise<{ token: string; expires: string }> {
    return this.withNode(async (node) => {
      await this.checkMesh(node, this.flags.mesh);
      return node.peerInvite({ expiresInSec: this.flags.expires, ...(this.flags.mesh ? { mesh: this.flags.mesh } : {}) });
    });
  }
}
