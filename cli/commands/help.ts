import { Args, Command, Flags, loadHelpClass } from '@oclif/core';
import { LatticeError } from '../../host/model/errors.js';
import { badArguments, reportError } from '../errors.js';
import { toJson } from '../output.js';

interface CommandHelp {
  command: string;
  summary?: string;
  description?: string;
  usage: string;
  args: { name: string; description?: string; required: boolean }[];
  flags: { name: string; description?: string; required: boolean }[];
}

export default class HelpCommand extends Command {
  static override summary = 'show help for lattice or one of its topics or commands';
  static override strict = false;
  static override args = { command: Args.string({ description: 'a topic or command, e.g. store exec' }) };
  static override flags = {
    json: Flags.boolean({ description: 'the help as JSON: `commands[]` (`command`, `summary`) for lattice or a topic; `command`, `summary`, `description`, `usage`, `args[]`, `flags[]` for a command' }),
  };
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help store exec', '<%= config.bin %> help store exec --json'];

  async run(): Promise<void> {
    const json = this.argv.includes('--json');
    try {
      const { argv } = await this.parse(HelpCommand);
      const words = argv.map(String);
      if (json) {
        process.stdout.write(toJson(this.helpJson(words)) + '\n');
        return;
      }
      const Help = await loadHelpClass(this.config);
      await new Help(this.config).showHelp(words);
    } catch (e) {
      // `lattice help nope` is an argument error like any other (exit 1, typed), not oclif's exit 2.
      reportError(badArguments(e), json);
    }
  }

  /** The help of lattice (no words), a topic (`store`) or a command (`store exec`), as data. */
  private helpJson(words: string[]): { commands: { command: string; summary?: string }[] } | CommandHelp {
    const id = words.join(':');
    const cmd = id ? this.config.findCommand(id) : undefined;
    if (cmd) {
      const name = id.replaceAll(':', ' ');
      const positional = Object.entries(cmd.args ?? {}).map(([n, a]) => (a.required ? n.toUpperCase() : `[${n.toUpperCase()}]`));
      return {
        command: name,
        ...(cmd.summary ? { summary: cmd.summary } : {}),
        ...(cmd.description ? { description: cmd.description } : {}),
        usage: `${this.config.bin} ${[cmd.usage ?? [name, ...positional].join(' ')].flat()[0]}`,
        args: Object.entries(cmd.args ?? {}).map(([n, a]) => ({ name: n, ...(a.description ? { description: a.description } : {}), required: a.required === true })),
        flags: Object.entries(cmd.flags ?? {}).map(([n, f]) => ({ name: `--${n}`, ...(f.description ? { description: f.description } : {}), required: f.required === true })),
      };
    }
    const under = this.config.commands.filter((c) => !c.hidden && (id === '' || c.id.startsWith(`${id}:`)));
    if (under.length === 0) throw new LatticeError('E_BAD_ARGUMENT', `no such command or topic: lattice ${words.join(' ')} (see lattice --help)`, { command: words.join(' ') });
    return { commands: under.map((c) => ({ command: c.id.replaceAll(':', ' '), ...(c.summary ? { summary: c.summary } : {}) })).sort((a, b) => a.command.localeCompare(b.command)) };
  }
}
