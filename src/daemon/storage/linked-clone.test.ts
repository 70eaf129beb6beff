import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planLinkedClone } from '../../core/storage/qemu-img-plan.js';
import { linkedCloneDef } from './linked-clone.js';
import { preparePoolXml, prepareVolumeXml } from './pool-xml.js';

const q = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

test("a linked clone's definition, built directly, is what prepareVolumeXml makes of its XML, and plans libvirt's qemu-img create of an overlay", () => {
  const { def: pool } = preparePoolXml("<pool type='dir'><name>p</name><target><path>/srv/p</path></target></pool>");
  const source = { path: '/srv/p/base.qcow2', format: 'qcow2' };
  // The size qemu-img is given is in KiB, rounded up; a capacity of 0 gives none (the backing file's).
  const cases = [
    ['c.qcow2', 1073741824, ['1048576K']],
    ['a&b <c>.img', 512, ['1K']],
    ['x', 0, []],
    ['big', 2 ** 50, ['1099511627776K']],
  ] as const;
  for (const [name, capacity, size] of cases) {
    const xml = `<volume>\n  <name>${q(name)}</name>\n  <capacity>${capacity}</capacity>\n  <target>\n    <format type='qcow2'/>\n  </target>\n</volume>\n`;
    const prepared = prepareVolumeXml(xml, pool);
    const temp = `/srv/p/.${name}.tmp-1-1`;
    const direct = linkedCloneDef(pool, name, capacity, temp);
    assert.deepEqual(direct, { ...prepared, target: { ...prepared.target, path: temp } }, name);
    assert.deepEqual(planLinkedClone({ pool, vol: direct, source }), {
      target: temp,
      steps: [{ kind: 'create', argv: ['qemu-img', 'create', '-f', 'qcow2', '-b', '/srv/p/base.qcow2', '-F', 'qcow2', temp, ...size] }],
    }, name);
  }
});
