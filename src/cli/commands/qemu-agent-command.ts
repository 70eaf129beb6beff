/**
 * virsh qemu-agent-command: one raw command for the running domain's guest agent (qemu-ga),
 * given as the JSON QGA reads ('{"execute":"guest-info"}'); prints the agent's answer as one
 * JSON line ({"return":...}), or indented with --pretty. --timeout is in seconds.
 */
import { parseRawAgentCommand } from '../../core/qemu/qga/codec.js';
import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'qemu-agent-command',
  summary: 'QEMU Guest Agent Command',
  args: [DOMAIN_ARG, { name: 'cmd', help: 'command, as JSON: {"execute":"guest-info"}', required: true }],
  options: {
    timeout: { type: 'string', arg: 'seconds', help: 'how long to wait for the answer (default 30)' },
    pretty: { type: 'boolean', help: 'pretty-print the output' },
  },
  async run(ctx, { domain, cmd }, o) {
    const parsed = parseRawAgentCommand(cmd);
    if (typeof parsed === 'string') throw usageError(`invalid agent command: ${parsed}`);
    let timeoutSeconds: number | undefined;
    if (o.timeout !== undefined) {
      timeoutSeconds = Number(o.timeout);
      if (!Number.isSafeInteger(timeoutSeconds) || timeoutSeconds < 1) throw usageError(`Invalid value for timeout: ${o.timeout} (want whole seconds, at least 1)`);
    }
    const ret = await onDomain(domain, undefined, () => ctx.client().agentCommand(domain, parsed, timeoutSeconds === undefined ? {} : { timeoutSeconds }));
    const answer = { return: ret ?? {} };
    if (ctx.json) return ctx.printJson(answer);
    ctx.print(o.pretty ? JSON.stringify(answer, null, 2) : JSON.stringify(answer));
  },
});
