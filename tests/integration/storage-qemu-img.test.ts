// The qemu-img plans of src/core/storage run with the real qemu-img: each makes the image it
// says (format, size, backing file and its format, encryption), read back with
// `qemu-img info --output=json`. Everything happens in one temp directory, removed at the end.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { QemuImgPlan } from '../../src/core/storage/qemu-img-plan.js';
import { planImport, planLinkedClone, planVolumeCreate } from '../../src/core/storage/qemu-img-plan.js';
import type { PoolDef, VolumeDef } from '../../src/core/xml/storage/index.js';
import { parsePoolXml, parseVolumeXml, prepareVolume, validateVolume } from '../../src/core/xml/storage/index.js';
import { runQemuImgRetrying } from '../../src/host/storage/qemu-img.js';

const dir = mkdtempSync(join(tmpdir(), 'virtkit-qemu-img-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const pool: PoolDef = parsePoolXml(`<pool type='dir'><name>t</name><target><path>${dir}</path></target></pool>`);
const KEY = join(dir, 'key');
writeFileSync(KEY, 'correct horse battery staple', { mode: 0o600 });
const SECRET = "<secret type='passphrase' uuid='0a0b0c0d-0000-4000-8000-000000000001'/>";

function vol(name: string, inner: string): VolumeDef {
  const v = prepareVolume(parseVolumeXml(`<volume><name>${name}</name>${inner}</volume>`), pool);
  validateVolume(v, pool);
  return v;
}

/** Each step through the daemon's runner (which repeats QEMU 7.2's flaky LUKS benchmark). */
async function run(plan: QemuImgPlan): Promise<void> {
  for (const step of plan.steps) {
    const [bin, ...args] = step.argv;
    assert.equal(bin, 'qemu-img');
    await runQemuImgRetrying(args);
  }
  assert.ok(existsSync(plan.target), `${plan.target} was not made`);
}

interface Info {
  format: string;
  'virtual-size': number;
  'backing-filename'?: string;
  'backing-filename-format'?: string;
  encrypted?: boolean;
  'format-specific'?: { data?: { compat?: string; 'lazy-refcounts'?: boolean; encrypt?: { format?: string } } };
}

/** What qemu-img says the image is; encrypted images are opened with the key (never probed: -f given). */
function info(path: string, format: string, keyed = false): Info {
  const args = keyed
    ? ['info', '--output=json', '--object', `secret,id=k,file=${KEY}`, '--image-opts', `driver=${format},file.filename=${path},${format === 'qcow2' ? 'encrypt.' : ''}key-secret=k`]
    : ['info', '--output=json', '-f', format, path];
  return JSON.parse(execFileSync('qemu-img', args, { encoding: 'utf8' })) as Info;
}

describe('qemu-img plans run with the real qemu-img', () => {
  test('raw and qcow2 volumes: format, size, compat and lazy_refcounts as asked', async () => {
    await run(planVolumeCreate({ pool, vol: vol('a.raw', "<capacity unit='MiB'>3</capacity>") }));
    assert.deepEqual([info(join(dir, 'a.raw'), 'raw').format, info(join(dir, 'a.raw'), 'raw')['virtual-size']], ['raw', 3 * 1024 * 1024]);
    await run(planVolumeCreate({ pool, vol: vol('b.qcow2', "<capacity unit='MiB'>5</capacity><target><format type='qcow2'/><features><lazy_refcounts/></features></target>") }));
    const b = info(join(dir, 'b.qcow2'), 'qcow2');
    assert.equal(b['virtual-size'], 5 * 1024 * 1024);
    assert.equal(b['format-specific']?.data?.compat, '1.1');
    assert.equal(b['format-specific']?.data?.['lazy-refcounts'], true);
  });

  test('a qcow2 on a backing volume records the backing format; metadata preallocation works', async () => {
    await run(planVolumeCreate({ pool, vol: vol('c.qcow2', `<target><format type='qcow2'/></target><backingStore><path>${join(dir, 'b.qcow2')}</path><format type='qcow2'/></backingStore>`) }));
    const c = info(join(dir, 'c.qcow2'), 'qcow2');
    assert.equal(c['backing-filename'], join(dir, 'b.qcow2'));
    assert.equal(c['backing-filename-format'], 'qcow2');
    assert.equal(c['virtual-size'], 5 * 1024 * 1024);
    await run(planVolumeCreate({ pool, vol: vol('p.qcow2', "<capacity unit='MiB'>2</capacity><allocation>0</allocation><target><format type='qcow2'/></target>"), flags: { preallocMetadata: true } }));
    assert.equal(info(join(dir, 'p.qcow2'), 'qcow2')['format-specific']?.data?.compat, '0.10');
  });

  test('LUKS volumes (raw and qcow2) take their key from the file and open with it', async () => {
    await run(planVolumeCreate({ pool, vol: vol('e.luks', `<capacity unit='MiB'>4</capacity><target><encryption format='luks'>${SECRET}</encryption></target>`), secretFile: KEY }));
    assert.equal(info(join(dir, 'e.luks'), 'luks').format, 'luks');
    await run(planVolumeCreate({ pool, vol: vol('e.qcow2', `<capacity unit='MiB'>4</capacity><target><format type='qcow2'/><encryption format='luks'>${SECRET}</encryption></target>`), secretFile: KEY }));
    const q = info(join(dir, 'e.qcow2'), 'qcow2', true);
    assert.equal(q['format-specific']?.data?.encrypt?.format, 'luks');
    assert.equal(q['virtual-size'], 4 * 1024 * 1024);
  });

  test('vol-create-from: a plain convert, and the two steps into a LUKS volume', async () => {
    const input = { pool, vol: vol('b.qcow2', "<target><format type='qcow2'/></target>") };
    await run(planVolumeCreate({ pool, vol: vol('full.qcow2', "<target><format type='qcow2'/></target>"), input }));
    assert.equal(info(join(dir, 'full.qcow2'), 'qcow2')['virtual-size'], 5 * 1024 * 1024);
    const enc = vol('full.luks', `<capacity unit='MiB'>5</capacity><target><encryption format='luks'>${SECRET}</encryption></target>`);
    const plan = planVolumeCreate({ pool, vol: enc, input, secretFile: KEY });
    assert.equal(plan.steps.length, 2);
    await run(plan);
    assert.equal(info(join(dir, 'full.luks'), 'luks', true)['virtual-size'], 5 * 1024 * 1024);
  });

  test('a linked clone is an overlay on its source; an import converts a vmdk to qcow2', async () => {
    await run(planLinkedClone({ pool, vol: vol('lc.qcow2', "<target><format type='qcow2'/></target>"), source: { path: join(dir, 'a.raw'), format: 'raw' } }));
    const lc = info(join(dir, 'lc.qcow2'), 'qcow2');
    assert.deepEqual([lc['backing-filename-format'], lc['virtual-size']], ['raw', 3 * 1024 * 1024]);
    const vmdk = join(dir, 'src.vmdk');
    execFileSync('qemu-img', ['create', '-f', 'vmdk', vmdk, '1M'], { stdio: 'ignore' });
    await run(planImport({ pool, vol: vol('imp.qcow2', "<target><format type='qcow2'/></target>"), source: { path: vmdk, format: 'vmdk' } }));
    const imp = info(join(dir, 'imp.qcow2'), 'qcow2');
    assert.deepEqual([imp.format, imp['virtual-size']], ['qcow2', 1024 * 1024]);
  });
});
