// `lattice frobnicate`: an unknown command is a typed argument error like any other, in the same format.
import type { Hook } from '@oclif/core';
import { LatticeError } from '../../host/model/errors.js';
import { reportError } from '../errors.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  const json = opts.argv?.includes('--json') ?? false;
  const known = opts.config.commandIDs.map((id) => id.replaceAll(':', ' ')).sort();
  const name = opts.id.replaceAll(':', ' ');
  reportError(new LatticeError('E_BAD_ARGUMENT', `no such command: lattice ${name} (see lattice --help)`, { command: name, commands: known }), json);
  // No return: oclif would go on to print its own error and exit 2.
  process.exit(1);
};

export default hook;
