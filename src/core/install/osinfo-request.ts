/**
 * Which OS `virtkit install` looks up, by virt-install 4.1's rules for --osinfo (--os-variant):
 * NAME (or name=/short-id=/id=) -> that OS; `generic` -> the generic OS; detect=on -> read the --cdrom or
 * --location media (require=on: fail when nothing is found; else fall back to NAME or generic). Without
 * --osinfo, media installs detect with require=on, and other installs must name the OS, as in 4.1.
 */
import { VirtkitError } from '../errors.js';
import { has, last, raw } from './build-args.js';
import { isoLocation } from './build-disks.js';
import type { InstallArgs, OsInfo } from './types.js';

export type OsinfoRequest =
  | { kind: 'name'; name: string }
  | { kind: 'generic' }
  /** `--osinfo list`: print the database's OSes instead of installing. */
  | { kind: 'list' }
  | { kind: 'detect'; media: string; from: 'cdrom' | 'location'; require: boolean; fallback: string | null };

const REQUIRED = '--os-variant/--osinfo OS name is required, but no value was set or detected.';

export function osinfoRequest(args: InstallArgs): OsinfoRequest {
  const o = last(args, 'osinfo');
  const name = o.get('name') ?? o.get('short-id') ?? o.get('id') ?? null;
  const cdrom = raw(args, 'cdrom');
  const location = has(args, 'location') ? (isoLocation(args) ?? last(args, 'location').get('location')) : undefined;
  const media = cdrom !== undefined ? { media: cdrom, from: 'cdrom' as const } : location !== undefined ? { media: location, from: 'location' as const } : null;
  if (!has(args, 'osinfo')) {
    if (media) return { kind: 'detect', ...media, require: true, fallback: null };
    throw new VirtkitError('INVALID_ARGUMENT', `${REQUIRED} Use --osinfo NAME (\`virtkit osinfo-query\` lists them), --osinfo detect=on, or --osinfo generic.`, { details: { flag: 'osinfo' } });
  }
  const detect = o.bool('detect') === true;
  const require = o.bool('require') === true;
  if (detect) {
    if (media) return { kind: 'detect', ...media, require, fallback: name };
    if (require) throw new VirtkitError('INVALID_ARGUMENT', `${REQUIRED} There is no install media to detect it from (--cdrom or --location).`, { details: { flag: 'osinfo' } });
  }
  if (name === 'list') return { kind: 'list' };
  if (name === null || name === 'generic' || name === 'none') return { kind: 'generic' };
  return { kind: 'name', name };
}

/** After detection: the OS found, else the fallback name's OS (looked up by the caller), else generic; require=on fails. */
export function detectedOrFallback(req: Extract<OsinfoRequest, { kind: 'detect' }>, found: OsInfo | null): OsInfo | { kind: 'name'; name: string } | { kind: 'generic' } {
  if (found) return found;
  if (req.require) {
    throw new VirtkitError('INVALID_ARGUMENT', `${REQUIRED} Could not detect the OS of ${req.media}: name it with --osinfo NAME.`, { details: { flag: 'osinfo', media: req.media } });
  }
  return req.fallback !== null ? { kind: 'name', name: req.fallback } : { kind: 'generic' };
}
