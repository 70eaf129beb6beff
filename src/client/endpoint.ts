/**
 * From a connection URI (virsh -c) or a root directory to the address of
 * the daemon. The socket paths come from the instance layout the daemon uses
 * too (src/core/instance-layout.ts).
 *
 *   qemu:///system                      /run/virtkit/virtkitd.sock
 *   qemu:///session                     $XDG_RUNTIME_DIR/virtkit/virtkitd.sock (else ~/.cache/virtkit/run/)
 *   qemu:///embed?root=DIR  (--root)    DIR/run/virtkitd.sock
 *   qemu+unix:///system?socket=PATH     PATH
 *   qemu+tcp://HOST:PORT/system         TCP; token from VIRTKIT_TOKEN or ?token_file=
 *   qemu+tls://HOST:PORT/system         TLS; CA from ?ca=FILE (else the system's)
 */
import { resolve } from 'node:path';
import { VirtkitError } from '../core/errors.js';
import { instanceLayout } from '../core/instance-layout.js';

export type Endpoint =
  | {
    readonly kind: 'unix';
    readonly uri: string;
    readonly socket: string;
    /** Arguments that start a daemon for this instance, or undefined when the client must not (system). */
    readonly spawnArgs: readonly string[] | undefined;
  }
  | {
    readonly kind: 'tcp';
    readonly uri: string;
    readonly host: string;
    readonly port: number;
    readonly tls: boolean;
    readonly tokenFile?: string;
    readonly token?: string;
    readonly ca?: string;
  };

export interface EndpointInput {
  /** -c URI */
  readonly uri?: string | undefined;
  /** --root DIR (or VIRTKIT_ROOT) */
  readonly root?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly uid: number;
}

const invalid = (uri: string, why: string) => new VirtkitError('INVALID_ARGUMENT', `connection URI '${uri}': ${why}`);

export function rootEndpoint(root: string): Endpoint {
  const dir = resolve(root);
  const { uri, socket } = instanceLayout({ kind: 'root', root: dir });
  return { kind: 'unix', uri, socket, spawnArgs: ['--root', dir] };
}

/**
 * Precedence: -c URI, then --root, then VIRTKIT_ROOT, then VIRTKIT_DEFAULT_URI, then
 * qemu:///system for root and qemu:///session for other users (as virsh does).
 */
export function resolveEndpoint(input: EndpointInput): Endpoint {
  const given = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  const root = given(input.root);
  if (given(input.uri) === undefined) {
    const r = root ?? given(input.env['VIRTKIT_ROOT']);
    if (r !== undefined) return rootEndpoint(r);
  }
  const uri = given(input.uri) ?? given(input.env['VIRTKIT_DEFAULT_URI']) ?? (input.uid === 0 ? 'qemu:///system' : 'qemu:///session');
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw invalid(uri, 'not a URI; use qemu:///system, qemu:///session or qemu:///embed?root=DIR');
  }
  const [driver, transport] = u.protocol.slice(0, -1).split('+');
  if (driver !== 'qemu') throw invalid(uri, `unsupported driver '${driver ?? ''}': virtkit speaks qemu:// only`);
  const path = u.pathname.replace(/\/+$/, '');
  const param = (k: string) => u.searchParams.get(k) ?? undefined;
  if (transport === 'tcp' || transport === 'tls') {
    const port = Number(u.port || '16514');
    const token = input.env['VIRTKIT_TOKEN'];
    const tokenFile = param('token_file') ?? input.env['VIRTKIT_TOKEN_FILE'];
    const ca = param('ca');
    return {
      kind: 'tcp', uri, host: u.hostname.replace(/^\[|\]$/g, ''), port, tls: transport === 'tls',
      ...(token === undefined ? {} : { token }), ...(tokenFile === undefined ? {} : { tokenFile }),
      ...(ca === undefined ? {} : { ca }),
    };
  }
  if (transport !== undefined && transport !== 'unix') throw invalid(uri, `unsupported transport '${transport}'`);
  if (u.host !== '') throw invalid(uri, 'a remote host needs qemu+tcp:// or qemu+tls://');
  const socket = param('socket');
  if (path === '/embed') {
    const r = param('root');
    if (r === undefined || r === '') throw invalid(uri, 'qemu:///embed needs ?root=DIR');
    if (root !== undefined && resolve(root) !== resolve(r)) throw invalid(uri, `--root ${root} names another instance`);
    return socket === undefined ? rootEndpoint(r) : { kind: 'unix', uri, socket, spawnArgs: undefined };
  }
  if (root !== undefined) {
    throw invalid(uri, `--root ${root} and -c ${uri} name different instances; give one of them`);
  }
  if (path === '/system') {
    const layout = instanceLayout({ kind: 'system' });
    return { kind: 'unix', uri: layout.uri, socket: socket ?? layout.socket, spawnArgs: undefined };
  }
  if (path === '/session') {
    const layout = instanceLayout({ kind: 'session', env: input.env, home: input.home });
    return {
      kind: 'unix', uri: layout.uri, socket: socket ?? layout.socket,
      spawnArgs: socket === undefined ? ['--session'] : undefined,
    };
  }
  throw invalid(uri, `unknown path '${u.pathname}': use /system, /session or /embed?root=DIR`);
}
