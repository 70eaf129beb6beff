import { command, commandHelp, usageError } from '../framework.js';
import { COMMANDS } from './index.js';

export default command({
  name: 'help',
  summary: 'print help',
  args: [{ name: 'command', help: 'Prints global help, command specific help, or help for a group of related commands', required: false }],
  options: {},
  async run(ctx, { command: name }) {
    if (name !== undefined) {
      const entry = COMMANDS[name];
      if (!entry) throw usageError(`command or command group '${name}' doesn't exist`);
      ctx.print(commandHelp((await entry.load()).default));
      return;
    }
    const groups = new Map<string, string[]>();
    for (const [n, e] of Object.entries(COMMANDS)) {
      groups.set(e.group, [...(groups.get(e.group) ?? []), `    ${n.padEnd(30)} ${e.summary}`]);
    }
    const out = ['Grouped commands:', ''];
    for (const [g, lines] of groups) out.push(` ${g}:`, ...lines, '');
    ctx.io.stdout(out.join('\n'));
  },
});
