/**
 * The QEMU 7.2 capabilities the golden test, the QEMU integration test and
 * the bench build against: the record captured from this machine's
 * /usr/bin/qemu-system-x86_64 (tests/fixtures/qemu-caps/qemu-7.2.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QemuCaps } from '../../src/core/qemu/caps.js';
import { parseQemuCaps } from '../../src/core/qemu/caps.js';
import { repoRoot } from './cases.js';

let cached: QemuCaps | undefined;

export function qemu72Caps(): QemuCaps {
  cached ??= parseQemuCaps(JSON.parse(readFileSync(join(repoRoot(), 'tests', 'fixtures', 'qemu-caps', 'qemu-7.2.json'), 'utf8')));
  return cached;
}
