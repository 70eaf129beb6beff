/**
 * The keys of disks, by target dev, from the secrets store: a LUKS disk's from the 'volume'
 * secret its <encryption> names, an rbd disk's cephx key from the 'ceph' secret its
 * <source><auth> names. Used at start (every disk) and at a live attach (the one disk); an
 * unknown secret, or one without a value, refuses before anything runs.
 */
import type { DiskDef } from '../../core/xml/domain/index.js';
import type { DiskKeys } from '../driver.js';
import { secretValueFor } from '../secrets/ops.js';
import type { EngineContext } from './context.js';

/** The keys of one disk; undefined when it needs none. */
export function diskKeysOf(ctx: EngineContext, d: DiskDef): DiskKeys | undefined {
  const w = `/domain/devices/disk[target/@dev='${d.target?.dev ?? '?'}']`;
  const enc = d.encryption?.secret;
  const auth = d.source?.auth?.secret;
  const keys: { encryption?: Uint8Array; auth?: Uint8Array } = {};
  if (enc !== undefined) keys.encryption = secretValueFor(ctx.secrets, enc, 'volume', `${w}/encryption/secret`);
  if (auth !== undefined && auth.type === 'ceph') keys.auth = secretValueFor(ctx.secrets, auth, 'ceph', `${w}/source/auth/secret`);
  return keys.encryption !== undefined || keys.auth !== undefined ? keys : undefined;
}

/** The keys of every disk of `disks` that needs one, by target dev; undefined when none does. */
export function diskKeys(ctx: EngineContext, disks: readonly DiskDef[]): ReadonlyMap<string, DiskKeys> | undefined {
  const out = new Map<string, DiskKeys>();
  for (const d of disks) {
    const dev = d.target?.dev;
    if (dev === undefined) continue;
    const keys = diskKeysOf(ctx, d);
    if (keys !== undefined) out.set(dev, keys);
  }
  return out.size === 0 ? undefined : out;
}
