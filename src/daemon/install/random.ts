/**
 * The install plan builder's random source (InstallRandom: UUID, MAC, integers for the generated
 * root password, temp-file token), from node's CSPRNG. MACs are in QEMU's 52:54:00 range as
 * virt-install makes them; tokens are Python tempfile's 8 characters of [a-z0-9_].
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { InstallRandom } from '../../core/install/types.js';

const hex2 = (): string => randomInt(256).toString(16).padStart(2, '0');
const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';

export const installRandom: InstallRandom = {
  uuid: () => randomUUID(),
  mac: () => `52:54:00:${hex2()}:${hex2()}:${hex2()}`,
  int: (bound) => randomInt(bound),
  token: () => Array.from({ length: 8 }, () => TOKEN_CHARS.charAt(randomInt(TOKEN_CHARS.length))).join(''),
};
