// Golden test: every case of libvirt's storagevol-qemuimg set (shared reference cases) gives
// exactly libvirt's qemu-img argv, or is refused where libvirt refuses (SHOULD_FAIL).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { needsShared } from '../../../tests/helpers/shared-cases.js';
import { seeded } from '../../../tests/helpers/seeded-random.js';
import { loadStorageVolCases, parseArgvFile } from '../../../tests/helpers/storage-cases.js';
import type { StorageVolCase } from '../../../tests/helpers/storage-cases.js';
import { VirtkitError } from '../errors.js';
import { parsePoolXml, parseVolumeXml, preparePool, prepareVolume, validatePool, validateVolume } from '../xml/storage/index.js';
import { planVolumeCreate } from './qemu-img-plan.js';

const KNOWN_FLAGS = new Set(['PREALLOC_METADATA', 'PARSE_OPT_CAPACITY', 'SHOULD_FAIL']);

/** Where libvirt refuses, the code and path virtkit refuses with. */
const REFUSALS: Record<string, { code: string; path: string }> = {
  'qcow2-0.10-lazy': { code: 'XML_CONFLICT', path: '/volume/target/features/lazy_refcounts' },
};

function prepared(poolXml: string, volXml: string): { pool: ReturnType<typeof parsePoolXml>; vol: ReturnType<typeof parseVolumeXml> } {
  const pool = preparePool(parsePoolXml(poolXml), { random: seeded(1) });
  validatePool(pool);
  const vol = prepareVolume(parseVolumeXml(volXml), pool);
  validateVolume(vol, pool);
  return { pool, vol };
}

function plan(c: StorageVolCase): string[] {
  const { pool, vol } = prepared(c.poolXml, c.volXml);
  const input = c.inputPoolXml !== undefined && c.inputVolXml !== undefined ? prepared(c.inputPoolXml, c.inputVolXml) : undefined;
  const p = planVolumeCreate({ pool, vol, ...(input ? { input } : {}), flags: { preallocMetadata: c.flags.has('PREALLOC_METADATA') } });
  assert.equal(p.steps.length, 1);
  return p.steps[0]?.argv ?? [];
}

describe('qemu-img argv golden: libvirt storagevol-qemuimg cases', needsShared('storagevol-qemuimg'), () => {
  const cases = loadStorageVolCases();
  test('there are 8 cases, with only known flags, and every listed refusal is a SHOULD_FAIL case', () => {
    assert.equal(cases.length, 8);
    for (const c of cases) for (const f of c.flags) assert.ok(KNOWN_FLAGS.has(f), `${c.name}: unknown flag ${f}`);
    const failing = cases.filter((c) => c.flags.has('SHOULD_FAIL')).map((c) => c.name).sort();
    assert.deepEqual(failing, Object.keys(REFUSALS).sort());
  });
  for (const c of cases) {
    test(c.name, () => {
      if (c.flags.has('SHOULD_FAIL')) {
        const want = REFUSALS[c.name];
        assert.throws(() => plan(c), (e: unknown) => e instanceof VirtkitError && e.code === want?.code && e.details?.['path'] === want.path);
        return;
      }
      assert.ok(c.expected, `${c.name} has no expected argv`);
      assert.deepEqual(plan(c), c.expected);
    });
  }
});

test('the .argv reader splits options from their values and keeps paths whole', () => {
  assert.deepEqual(parseArgvFile('qemu-img \\\ncreate \\\n-f qcow2 \\\n-o a=b,c=d \\\n/p/x y.img \\\n5K\n'), ['qemu-img', 'create', '-f', 'qcow2', '-o', 'a=b,c=d', '/p/x y.img', '5K']);
});
