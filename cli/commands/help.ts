import { Args, Command, loadHelpClass } from '@oclif/core';
import { badArguments, reportError } from '../errors.js';

export default class HelpCommand extends Command {
  static override summary = 'show help for lattice or one of its topics or commands';
  static override strict = false;
  static override args = { command: Args.string({ description: 'a topic or command, e.g. store exec' }) };
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help store exec'];

  async run(): Promise<void> {
    try {
      const { argv } = await this.parse(HelpCommand);
      const Help = await loadHelpClass(this.config);
      await new Help(this.config).showHelp(argv.map(String));
    } catch (e) {
      // `lattice help nope` is an argument error like any other (exit 1, typed), not oclif's exit 2.
      reportError(badArguments(e), false);
    }
  }
}
