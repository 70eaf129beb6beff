/**
 * The install plan builder's random source (its InstallRandom: UUID, MAC, password, temp-file
 * token), from node's CSPRNG, for the daemon's planner. MACs are in QEMU's 52:54:00 range as
 * virt-install makes them; tokens are Python tempfile's 8 characters of [a-z0-9_].
 */
import { randomInt, randomUUID } from 'node:crypto';

const pick = (chars: string, n: number): string => Array.from({ length: n }, () => chars.charAt(randomInt(chars.length))).join('');
const hex2 = (): string => randomInt(256).toString(16).padStart(2, '0');

export const installRandom = {
  uuid: (): string => randomUUID(),
  mac: (): string => `52:54:00:${hex2()}:${hex2()}:${hex2()}`,
  password: (): string => pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 16),
  token: (): string => pick('abcdefghijklmnopqrstuvwxyz0123456789_', 8),
};
