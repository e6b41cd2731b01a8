import { Args } from '@oclif/core';
import { LatticeCommand } from '../../base.js';

export default class PeerJoin extends LatticeCommand<typeof PeerJoin> {
  static override summary = 'join a mesh with an invite token from one of its members';
  static override args = { token: Args.string({ description: 'the invite token (lattice2…)', required: true }) };
  static override examples = ['<%= config.bin %> peer join lattice2…'];

  async run(): Promise<{ meshId: string; stores: number }> {
    this.progress('joining…');
    return this.withNode((node) => node.peerJoin(this.args.token));
  }
}
