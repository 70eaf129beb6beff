/**
 * What the storage commands share: the <pool> and <vol> arguments, virsh's
 * lookup failures ("failed to get pool 'X'"), its capacity words (vshPrettyCapacity)
 * and size arguments (vshVolSize), and XML text built from arguments.
 */
import type { VirtkitClient } from '../client/client.js';
import type { PoolInfo, VolumeInfo } from '../client/types.js';
import { asVirtkitError, VirtkitError } from '../core/errors.js';
import { CliError, command, usageError, type ArgSpec, type Command } from './framework.js';

export const POOL_ARG = { name: 'pool', help: 'pool name or uuid', required: true } as const satisfies ArgSpec;
export const VOL_ARG = { name: 'vol', help: 'vol name, key or path', required: true } as const satisfies ArgSpec;
export const POOL_OPT = { type: 'string', help: 'pool name or uuid', arg: 'string' } as const;

/** Runs `fn`; an unknown pool or volume reads as virsh's lookup failure, anything else as `failure` + why. */
export async function onStorage<T>(what: { pool?: string | undefined; vol?: string | undefined }, failure: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = asVirtkitError(e);
    if (err.code === 'DAEMON_UNREACHABLE') throw err;
    if (err.code === 'POOL_NOT_FOUND') throw new CliError([`failed to get pool '${what.pool ?? ''}'`, err.message], err);
    if (err.code === 'VOLUME_NOT_FOUND') throw new CliError([`failed to get vol '${what.vol ?? ''}'`, err.message], err);
    throw new CliError(failure === undefined ? [err.message] : [failure, err.message], err);
  }
}

/** virsh's volume lookup: by name in --pool; else (or when that fails) by key, then by path. */
export async function lookupVolume(client: VirtkitClient, vol: string, pool: string | undefined): Promise<VolumeInfo> {
  if (pool !== undefined) {
    try {
      return await client.getVolume(pool, vol);
    } catch (e) {
      if (!(e instanceof VirtkitError) || e.code !== 'VOLUME_NOT_FOUND') throw e;
    }
  }
  return client.findVolume(vol);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** vshPrettyCapacity + "%.2lf %s". */
export function prettyCapacity(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)} ${UNITS[i] ?? 'B'}`;
}

const SCALE: Record<string, number> = {
  '': 1, b: 1, byte: 1, bytes: 1, k: 1024, kib: 1024, kb: 1000, m: 1024 ** 2, mib: 1024 ** 2, mb: 1e6,
  g: 1024 ** 3, gib: 1024 ** 3, gb: 1e9, t: 1024 ** 4, tib: 1024 ** 4, tb: 1e12, p: 1024 ** 5, pib: 1024 ** 5, pb: 1e15,
};

/** A size argument as virsh reads it: a number with an optional unit (bytes by default; k, M, G, T, P are powers of 1024). */
export function parseSize(text: string, what: string): number {
  const m = /^\s*(\d+)\s*([A-Za-z]*)\s*$/.exec(text);
  const scale = m ? SCALE[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || scale === undefined) throw usageError(`Malformed size ${text}`);
  const n = Number(m[1]) * scale;
  if (!Number.isSafeInteger(n)) throw usageError(`${what} ${text} is too large`);
  return n;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

export const poolStateWord = (p: PoolInfo): string => p.state;

/** A command that runs one pool action and prints virsh's one line: `Pool NAME <done>`. */
export function poolVerb(name: string, summary: string, done: string,
  act: (client: VirtkitClient, pool: string) => Promise<PoolInfo>, failure: string): Command {
  return command({
    name, summary, args: [POOL_ARG], options: {},
    async run(ctx, { pool }) {
      const p = await onStorage({ pool }, `${failure} ${pool}`, () => act(ctx.client(), pool));
      if (ctx.json) return ctx.printJson(p);
      ctx.print(`Pool ${pool} ${done}`);
    },
  });
}

/** virsh's --validate: the daemon checks every XML strictly anyway, so it asks for nothing more. */
export const VALIDATE_OPT = { type: 'boolean', help: 'validate the XML against the schema (always done)' } as const;
export const REFLINK_OPT = { type: 'boolean', help: 'use btrfs COW lightweight copy (not supported: refused)' } as const;

/** --reflink: qemu-img convert makes the copy; a reflink (FICLONE) copy is not implemented, so the flag is refused, not dropped. */
export function refuseReflink(reflink: boolean | undefined): void {
  if (reflink === true) {
    throw new CliError(['--reflink is not supported: virtkit copies volumes with qemu-img convert (use --linked for a copy-on-write qcow2 overlay)'],
      new VirtkitError('UNSUPPORTED_OPERATION', '--reflink is not supported', { details: { flag: 'reflink' } }));
  }
}
