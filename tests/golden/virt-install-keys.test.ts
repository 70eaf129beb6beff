/**
 * The keys `virtkit install` accepts per flag are virt-install's own (shared/reference/virt-install-suboptions.txt,
 * extracted from virtinst/cli.py) apart from the documented groups that extraction cannot see (the keys every
 * device parser shares, the character-device parser's keys, old-style keys kept as keys).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CHAR_KEYS, DEVICE_COMMON, FLAG_GRAMMAR } from '../../src/core/options/flag-keys.js';
import { sharedDir, sharedRequired } from '../helpers/shared-cases.js';

const file = join(sharedDir(), 'reference', 'virt-install-suboptions.txt');
const skip = existsSync(file) || sharedRequired() ? {} : { skip: `no ${file}: put the shared/ folder beside the repository (docs/testing.md)` };

/** Keys we accept that the extraction does not list, with why. */
const EXTRA: Record<string, string[]> = {
  '*': [...DEVICE_COMMON, 'boot.order', 'boot.loadparm'], // virt-install's _add_common_device_args
  serial: CHAR_KEYS, console: CHAR_KEYS, channel: CHAR_KEYS, // ParserChar builds its keys in a loop
  rng: ['backend.source.mode', 'backend.source.host', 'backend.source.service', 'backend.source.connect_host',
    'backend.source.connect_service', 'backend.source.bind_host', 'backend.source.bind_service'], // the egd backend's source
  controller: ['ports'], // USB controller ports, written by virt-install's own defaults
  cpu: ['policy', 'smt'], // virtkit's policy=dedicated,smt=...: automatic placement (docs/placement.md)
  disk: ['linked'], // virtkit's linked clone: a qcow2 overlay on the named volume (docs/install.md)
};

describe('virt-install sub-option names', skip, () => {
  test('every key we accept is virt-install\'s, or one of the listed extras', () => {
    const theirs = new Map<string, Set<string>>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^--([a-z-]+) \([A-Za-z0-9]+\): (.*)$/.exec(line);
      if (m) theirs.set(m[1] ?? '', new Set((m[2] ?? '').split(' ')));
    }
    assert.ok(theirs.size > 40, `read ${theirs.size} flags from ${file}`);
    for (const [flag, g] of Object.entries(FLAG_GRAMMAR)) {
      const allowed = new Set([...(theirs.get(flag) ?? []), ...(EXTRA['*'] ?? []), ...(EXTRA[flag] ?? [])]);
      const ours = g.keys.filter((k) => !allowed.has(k));
      assert.deepEqual(ours, [], `--${flag}: keys virt-install does not have`);
    }
    for (const [flag, keys] of Object.entries(EXTRA)) {
      if (flag === '*' || flag === 'serial' || flag === 'console' || flag === 'channel') continue;
      assert.deepEqual(keys.filter((k) => theirs.get(flag)?.has(k)), [], `--${flag}: extras that virt-install lists after all`);
    }
  });
});
