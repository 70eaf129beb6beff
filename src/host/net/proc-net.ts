/**
 * The daemon's own network namespace as procfs shows it, without starting a process: its main
 * routing tables (/proc/self/net/route, /proc/self/net/ipv6_route, in `ip -json route`'s shape)
 * and its link names (/proc/self/net/dev). `ip` takes 3-10 ms a process on a loaded host; these
 * reads well under one. /proc/self/net is always the reading process's namespace, so these only
 * answer for the daemon's own namespace (an `ip -n NS` runner must keep asking ip).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { procIpv6Routes, procRoutes, type IpRoute } from '../../core/network/host-routes.js';
import { parseProcNetDev } from './link-view.js';

/** The IPv4 and IPv6 routes of the main table; a host without IPv6 has no ipv6_route (no routes). */
export async function procRouteTables(procRoot = '/proc'): Promise<{ readonly v4: IpRoute[]; readonly v6: IpRoute[] }> {
  const net = join(procRoot, 'self', 'net');
  const [v4, v6] = await Promise.all([
    readFile(join(net, 'route'), 'utf8'),
    readFile(join(net, 'ipv6_route'), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    }),
  ]);
  return { v4: procRoutes(v4), v6: procIpv6Routes(v6) };
}

/** The names of the links of this process's namespace. */
export async function procLinkNames(procRoot = '/proc'): Promise<Set<string>> {
  return new Set(parseProcNetDev(await readFile(join(procRoot, 'self', 'net', 'dev'), 'utf8')));
}
