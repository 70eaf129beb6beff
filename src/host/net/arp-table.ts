/** The host's IPv4 neighbour table, from /proc/net/arp under `root` (a test's fake procfs, else '/'). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProcNetArp, type ArpEntry } from '../../core/network/arp.js';

export async function readArpTable(root = '/'): Promise<ArpEntry[]> {
  return parseProcNetArp(await readFile(join(root, 'proc/net/arp'), 'utf8'));
}
