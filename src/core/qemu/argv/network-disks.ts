/**
 * The -blockdev storage node of a <disk type='network'>, as libvirt builds it
 * (qemuBlockStorageSourceGetBackendProps): nbd, nfs, iscsi, rbd, gluster, ssh
 * and the curl protocols (http, https, ftp, ftps). Ports are strings in the
 * server objects, as QEMU's InetSocketAddress wants; default ports are
 * libvirt's. QEMU loads most of these drivers from module files
 * (block-nfs.so, block-iscsi.so, block-rbd.so, block-curl.so, ...: Debian's
 * qemu-block-extra); whether they are installed is the host's question, not
 * this pure builder's.
 */
import type { DiskDef } from '../../xml/domain/schema/disk.js';
import { refuse } from './context.js';

type Source = NonNullable<DiskDef['source']>;
type Host = NonNullable<Source['host']>[number];

const DEFAULT_PORT: Record<string, number> = {
  nbd: 10809, nfs: 2049, iscsi: 3260, rbd: 6789, gluster: 24007, ssh: 22, http: 80, https: 443, ftp: 21, ftps: 990,
};

const CURL = new Set(['http', 'https', 'ftp', 'ftps']);

export const NETWORK_PROTOCOLS = ['nbd', 'nfs', 'iscsi', 'rbd', 'gluster', 'ssh', 'http', 'https', 'ftp', 'ftps'] as const;

function firstHost(src: Source, w: string, protocol: string): Host {
  const h = src.host?.[0];
  if (h === undefined) throw refuse(`${w}/source/host`, `a ${protocol} disk needs a <host>`);
  if (h.transport === 'rdma') throw refuse(`${w}/source/host/@transport`, 'RDMA transport is not supported');
  return h;
}

function onlyOneHost(src: Source, w: string, protocol: string): Host {
  if ((src.host ?? []).length > 1) throw refuse(`${w}/source/host[2]`, `a ${protocol} disk takes exactly one <host>`);
  return firstHost(src, w, protocol);
}

function inet(h: Host, protocol: string, w: string): { host: string; port: string } {
  if (h.transport === 'unix') throw refuse(`${w}/source/host/@transport`, `a ${protocol} disk cannot use a unix socket`);
  if (h.name === undefined) throw refuse(`${w}/source/host/@name`, `a ${protocol} host needs a name`);
  return { host: h.name, port: String(h.port ?? DEFAULT_PORT[protocol]) };
}

function needName(src: Source, w: string, protocol: string, what: string): string {
  const n = src.name;
  if (n === undefined || n === '') throw refuse(`${w}/source/@name`, `a ${protocol} disk needs name='${what}'`);
  return n;
}

/** The storage node props (without node-name and the cache/read-only tail) of a network disk. */
export function networkStorageProps(d: DiskDef, w: string): Record<string, unknown> {
  const src = d.source;
  const protocol = src?.protocol;
  if (src === undefined || protocol === undefined) throw refuse(`${w}/source/@protocol`, 'a network disk needs <source protocol=...>');
  switch (protocol) {
    case 'nbd': {
      const h = onlyOneHost(src, w, protocol);
      const server = h.transport === 'unix'
        ? { type: 'unix', path: h.socket ?? '' }
        : { type: 'inet', host: h.name ?? 'localhost', port: String(h.port ?? DEFAULT_PORT.nbd) };
      return { driver: 'nbd', server, ...(src.name !== undefined ? { export: src.name } : {}) };
    }
    case 'nfs': {
      const h = onlyOneHost(src, w, protocol);
      if (h.transport === 'unix') throw refuse(`${w}/source/host/@transport`, 'an nfs disk cannot use a unix socket');
      if (h.name === undefined) throw refuse(`${w}/source/host/@name`, 'an nfs host needs a name');
      // QEMU's nfs driver asks the host's rpcbind for the ports: it takes none.
      if (h.port !== undefined) throw refuse(`${w}/source/host/@port`, "an nfs host takes no port: QEMU finds the NFS and MOUNT ports through the server's rpcbind");
      const path = needName(src, w, protocol, 'EXPORT/PATH');
      return { driver: 'nfs', server: { type: 'inet', host: h.name }, path: path.startsWith('/') ? path : `/${path}` };
    }
    case 'iscsi': {
      const { host, port } = inet(onlyOneHost(src, w, protocol), protocol, w);
      const name = needName(src, w, protocol, 'IQN/LUN');
      const slash = name.lastIndexOf('/');
      const target = slash < 0 ? name : name.slice(0, slash);
      const lunText = slash < 0 ? '0' : name.slice(slash + 1);
      if (!/^\d+$/.test(lunText)) throw refuse(`${w}/source/@name`, `'${lunText}' is not a LUN number (name='IQN/LUN')`);
      const portal = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      return { driver: 'iscsi', portal, target, lun: Number(lunText), transport: 'tcp' };
    }
    case 'rbd': {
      const name = needName(src, w, protocol, 'POOL/IMAGE');
      const parts = name.split('/');
      if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
        throw refuse(`${w}/source/@name`, `'${name}' is not POOL/IMAGE or POOL/NAMESPACE/IMAGE`);
      }
      const [pool, a, b] = parts as [string, string, string | undefined];
      const servers = (src.host ?? []).map((h) => inet(h, protocol, w));
      return {
        driver: 'rbd', pool, ...(b !== undefined ? { namespace: a, image: b } : { image: a }),
        ...(servers.length > 0 ? { server: servers } : {}),
      };
    }
    case 'gluster': {
      const name = needName(src, w, protocol, 'VOLUME/PATH');
      const slash = name.indexOf('/');
      if (slash <= 0 || slash === name.length - 1) throw refuse(`${w}/source/@name`, `'${name}' is not VOLUME/PATH`);
      const servers = (src.host ?? []).map((h) => h.transport === 'unix'
        ? { type: 'unix', path: h.socket ?? '' }
        : { type: 'inet', ...inet(h, protocol, w) });
      if (servers.length === 0) firstHost(src, w, protocol);
      return { driver: 'gluster', volume: name.slice(0, slash), path: name.slice(slash + 1), server: servers };
    }
    case 'ssh': {
      const server = inet(onlyOneHost(src, w, protocol), protocol, w);
      const path = needName(src, w, protocol, '/PATH');
      return { driver: 'ssh', path, server };
    }
    default: {
      if (!CURL.has(protocol)) {
        throw refuse(`${w}/source/@protocol`, `network protocol '${protocol}' is not supported (${NETWORK_PROTOCOLS.join(', ')})`);
      }
      const h = onlyOneHost(src, w, protocol);
      const { host, port } = inet(h, protocol, w);
      const path = needName(src, w, protocol, 'PATH');
      const hostPart = host.includes(':') ? `[${host}]` : host;
      const portPart = h.port !== undefined ? `:${port}` : '';
      return { driver: protocol, url: `${protocol}://${hostPart}${portPart}${path.startsWith('/') ? '' : '/'}${path}` };
    }
  }
}
