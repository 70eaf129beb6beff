/**
 * virsh net-update NET COMMAND SECTION XML|FILE [--parent-index N] [--live] [--config] [--current]:
 * XML is the entry itself when it starts with '<', else a file holding it. Live changes rewrite
 * dnsmasq's hosts files and reload it (its leases are kept).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { NetworkUpdateRequest } from '../../client/types.js';
import { command, usageError } from '../framework.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

const COMMANDS = ['add', 'add-first', 'add-last', 'delete', 'modify'] as const;
const SECTIONS = ['ip-dhcp-host', 'ip-dhcp-range', 'dns-host', 'dns-txt', 'dns-srv', 'forward-interface', 'portgroup'] as const;

export default command({
  name: 'net-update',
  summary: 'update parts of an existing network\'s configuration',
  args: [
    NETWORK_ARG,
    { name: 'command', help: 'type of update (add-first, add-last (add), delete, or modify)', required: true },
    { name: 'section', help: 'which section of network configuration to update', required: true },
    { name: 'xml', help: 'name of file containing xml (or, if it starts with \'<\', the complete text of the xml element to add/modify', required: true },
  ],
  options: {
    'parent-index': { type: 'string', arg: 'number', help: 'which parent object to search through' },
    config: { type: 'boolean', help: 'affect next network startup' },
    live: { type: 'boolean', help: 'affect running network' },
    current: { type: 'boolean', help: 'affect current state of network' },
  },
  async run(ctx, { network, command: cmd, section, xml }, o) {
    if (!(COMMANDS as readonly string[]).includes(cmd)) throw usageError(`unrecognized command name '${cmd}'`);
    if (!(SECTIONS as readonly string[]).includes(section)) throw usageError(`unrecognized section name '${section}'`);
    if (o.current && (o.live || o.config)) throw usageError('--current is exclusive with --live and --config');
    const text = xml.trimStart().startsWith('<') ? xml : await readFile(resolve(ctx.io.cwd, xml), 'utf8');
    let parentIndex: number | undefined;
    if (o['parent-index'] !== undefined) {
      parentIndex = Number(o['parent-index']);
      if (!Number.isSafeInteger(parentIndex) || parentIndex < -1) throw usageError(`invalid --parent-index '${o['parent-index']}'`);
    }
    const req: NetworkUpdateRequest = {
      command: cmd as NetworkUpdateRequest['command'], section: section as NetworkUpdateRequest['section'], xml: text,
      ...(parentIndex === undefined ? {} : { parentIndex }), ...(o.live ? { live: true } : {}), ...(o.config ? { config: true } : {}),
    };
    const n = await onNetwork(network, 'Failed to update network', () => ctx.client().updateNetwork(network, req));
    if (ctx.json) return ctx.printJson(n);
    const where = o.live && o.config ? 'persistent and live' : o.live ? 'live' : o.config ? 'persistent' : 'current';
    ctx.print(`Updated network ${network} ${where} state`);
  },
});
