/** Test helpers: prepare a small domain written inline. */
import assert from 'node:assert/strict';
import { isVirtkitError } from '../../src/core/errors.js';
import type { ErrorCode } from '../../src/core/errors.js';
import { parseDomainXml } from '../../src/core/xml/domain/parse.js';
import { prepareDomain } from '../../src/core/xml/domain/defaults/index.js';
import { seeded } from './seeded-random.js';
import type { DomainDef } from '../../src/core/xml/domain/defaults/types.js';

export function dom(devices: string, machine = 'pc'): string {
  return `<domain type='qemu'><name>t</name><memory>1048576</memory><os><type arch='x86_64' machine='${machine}'>hvm</type></os><devices>${devices}</devices></domain>`;
}

export function prep(devices: string, machine = 'pc'): DomainDef {
  return prepareDomain(parseDomainXml(dom(devices, machine)), { random: seeded(7) });
}

/** Asserts that preparing fails with `code` and a message matching `re`. */
export function prepFails(devices: string, code: ErrorCode, re: RegExp, machine = 'pc'): void {
  assert.throws(
    () => prep(devices, machine),
    (e: unknown) => {
      assert.ok(isVirtkitError(e), String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, re);
      return true;
    },
  );
}

/** "bus:slot.fn" of a PCI address, or the address type. */
export function at(a: { type: string; bus?: number; slot?: number; function?: number } | undefined): string {
  if (a?.type !== 'pci') return a?.type ?? 'none';
  return `${a.bus ?? 0}:${(a.slot ?? 0).toString(16)}.${a.function ?? 0}`;
}
