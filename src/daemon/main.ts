/**
 * virtkitd's command line. Runs in the foreground (the client starts it
 * detached when it needs one); SIGTERM/SIGINT stop serving and exit, leaving
 * guests running.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { VirtkitError, asVirtkitError } from '../core/errors.js';
import type { TcpOptions } from './api/server.js';
import { startDaemon } from './daemon.js';
import { fileLogger, stderrLogger } from './logger.js';
import { instanceLayout, makeInstanceDirs, type InstanceSpec } from './paths.js';
import { VIRTKIT_VERSION } from '../core/version.js';

const USAGE = `usage: virtkitd [--system | --session | --root DIR] [--listen HOST:PORT --token-file FILE
                [--tls-cert FILE --tls-key FILE]] [--no-autostart] [--log-to-file] [--foreground]

  --system           the system instance (/etc/virtkit, /run/virtkit...); the default for root
  --session          the calling user's instance (XDG dirs); the default for other users
  --root DIR         everything under DIR (DIR/etc, DIR/lib, DIR/run, DIR/log)
  --listen HOST:PORT also serve the API over TCP; needs --token-file
  --token-file FILE  bearer token clients must send over TCP (first line of FILE)
  --tls-cert FILE    serve TCP with TLS, this certificate (PEM) ...
  --tls-key FILE     ... and this key
  --no-autostart     do not start autostart domains
  --log-to-file      log to LOGDIR/virtkitd.log instead of stderr
  --foreground       run in the foreground (always; accepted for scripts)
`;

interface Parsed {
  spec: InstanceSpec;
  tcp?: TcpOptions;
  autostart: boolean;
  logToFile: boolean;
}

async function parse(argv: string[], env: NodeJS.ProcessEnv): Promise<Parsed | 'help' | 'version'> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      system: { type: 'boolean' }, session: { type: 'boolean' }, root: { type: 'string' },
      listen: { type: 'string' }, 'token-file': { type: 'string' },
      'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
      'no-autostart': { type: 'boolean' }, foreground: { type: 'boolean' }, 'log-to-file': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' },
    },
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  const picked = [values.system, values.session, values.root !== undefined].filter(Boolean).length;
  if (picked > 1) throw new VirtkitError('INVALID_ARGUMENT', '--system, --session and --root exclude each other');
  const spec: InstanceSpec = values.root !== undefined ? { kind: 'root', root: values.root }
    : values.system || (!values.session && process.getuid?.() === 0) ? { kind: 'system' }
    : { kind: 'session', env, home: homedir() };
  const parsed: Parsed = { spec, autostart: !values['no-autostart'], logToFile: values['log-to-file'] ?? false };
  if (values.listen !== undefined) parsed.tcp = await tcpOptions(values.listen, values);
  else if (values['token-file'] ?? values['tls-cert'] ?? values['tls-key']) {
    throw new VirtkitError('INVALID_ARGUMENT', '--token-file, --tls-cert and --tls-key need --listen HOST:PORT');
  }
  return parsed;
}

async function tcpOptions(
  listen: string,
  v: { 'token-file'?: string | undefined; 'tls-cert'?: string | undefined; 'tls-key'?: string | undefined },
): Promise<TcpOptions> {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new VirtkitError('INVALID_ARGUMENT', `--listen '${listen}': expected HOST:PORT, e.g. 127.0.0.1:16509`);
  const tokenFile = v['token-file'];
  if (tokenFile === undefined) {
    throw new VirtkitError('INVALID_ARGUMENT', '--listen needs --token-file: the TCP API is never open without a token');
  }
  const read = (f: string) => readFile(f).catch((e: unknown) => {
    throw new VirtkitError('IO_ERROR', `cannot read ${f}: ${(e as Error).message}`, { cause: e });
  });
  const token = (await read(tokenFile)).toString('utf8').split('\n')[0]?.trim() ?? '';
  if (token.length < 16) throw new VirtkitError('INVALID_ARGUMENT', `the token in ${tokenFile} is shorter than 16 characters`);
  const cert = v['tls-cert'];
  const key = v['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw new VirtkitError('INVALID_ARGUMENT', '--tls-cert and --tls-key go together');
  const tls = cert !== undefined && key !== undefined ? { cert: await read(cert), key: await read(key) } : undefined;
  return { host: m[1] ?? m[2] ?? '', port, token, ...(tls ? { tls } : {}) };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  let parsed: Awaited<ReturnType<typeof parse>>;
  try {
    parsed = await parse(argv, process.env);
  } catch (e) {
    process.stderr.write(`virtkitd: ${asVirtkitError(e, 'INVALID_ARGUMENT').message}\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') return process.stdout.write(USAGE), 0;
  if (parsed === 'version') return process.stdout.write(`virtkitd ${VIRTKIT_VERSION}\n`), 0;
  const layout = instanceLayout(parsed.spec);
  makeInstanceDirs(layout);
  const file = parsed.logToFile ? fileLogger(layout.daemonLog, layout.dirMode) : undefined;
  const log = file ?? stderrLogger();
  // Handlers first: a SIGTERM that arrives while starting must still stop us cleanly.
  let stopBy: string | undefined;
  let wake = (): void => undefined;
  const onSignal = (sig: string) => () => {
    stopBy ??= sig;
    wake();
  };
  process.on('SIGTERM', onSignal('SIGTERM'));
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGHUP', () => undefined);
  try {
    const d = await startDaemon({ layout, log, autostart: parsed.autostart, ...(parsed.tcp ? { tcp: parsed.tcp } : {}) });
    const tcp = d.server.tcpAddress;
    log.info(`ready in ${d.readyMs.toFixed(1)} ms: ${d.report.domains} domain(s), ${d.report.running} running; ` +
      `listening on ${layout.socket}${tcp ? ` and ${tcp.host}:${tcp.port}${parsed.tcp?.tls ? ' (TLS)' : ''}` : ''}`);
    file?.detachStderr();
    if (stopBy === undefined) await new Promise<void>((resolve) => { wake = resolve; });
    log.info(`${stopBy ?? 'signal'}: stopping (guests keep running)`);
    await d.close();
    return 0;
  } catch (e) {
    log.error(asVirtkitError(e).message);
    return 1;
  }
}
