import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { isVirtkitError } from '../../core/errors.js';
import { FakeHypervisor } from './fake-driver.js';
import { MemoryConfigStore, MemoryStatusStore } from '../store/memory-stores.js';

const ROOT = mkdtempSync(join(tmpdir(), 'vk-domain-config-'));
after(() => rmSync(ROOT, { recursive: true, force: true }));

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;

/** An engine holding vm1 defined with `vcpuXml` after its <memory>; `stored` reads vm1's saved definition. */
async function defined(vcpuXml: string) {
  const config = new MemoryConfigStore();
  const engine = fakeEngine({ root: ROOT, driver: new FakeHypervisor(), config, status: new MemoryStatusStore() });
  await engine.dispatch({ kind: 'define', xml: `<domain type='kvm'><name>vm1</name><memory>1024</memory>${vcpuXml}</domain>` });
  const stored = async (): Promise<string> => (await config.loadAll()).find((c) => c.name === 'vm1')?.xml ?? '';
  const vcpuLine = async (): Promise<string> => /<vcpu\b[^/]*?<\/vcpu>/.exec(await stored())?.[0] ?? '';
  const setMax = (count: number) => engine.dispatch({ kind: 'setVcpus', name: 'vm1', count, maximum: true, config: true });
  return { engine, stored, vcpuLine, setMax };
}

describe('setvcpus --maximum --config (libvirt qemuDomainSetVcpusMax)', () => {
  it('raising the maximum keeps the current count; lowering it below the current count lowers current', async () => {
    const { engine, vcpuLine, setMax } = await defined('<vcpu>2</vcpu>');
    await setMax(4);
    assert.equal(await vcpuLine(), "<vcpu current='2'>4</vcpu>");
    assert.deepEqual(await engine.dispatch({ kind: 'vcpucount', name: 'vm1' }), { config: { maximum: 4, current: 2 }, live: null });
    await setMax(3);
    assert.equal(await vcpuLine(), "<vcpu current='2'>3</vcpu>");
    await setMax(1);
    assert.equal(await vcpuLine(), '<vcpu>1</vcpu>');
    await setMax(2);
    assert.equal(await vcpuLine(), "<vcpu current='1'>2</vcpu>");
  });

  it('lowering the maximum to the current count drops current=; to between current and maximum keeps it', async () => {
    const { vcpuLine, setMax } = await defined("<vcpu current='2'>6</vcpu>");
    await setMax(4);
    assert.equal(await vcpuLine(), "<vcpu current='2'>4</vcpu>");
    await setMax(2);
    assert.equal(await vcpuLine(), '<vcpu>2</vcpu>');
  });

  it('keeps <vcpus>: entries below the maximum as they were (order cleared), new ones disabled and hotpluggable', async () => {
    const { stored, vcpuLine, setMax } = await defined("<vcpu current='2'>3</vcpu><vcpus>" +
      "<vcpu id='0' enabled='yes' hotpluggable='no' order='1'/><vcpu id='1' enabled='no' hotpluggable='yes'/>" +
      "<vcpu id='2' enabled='yes' hotpluggable='yes' order='2'/></vcpus>");
    await setMax(4);
    assert.equal(await vcpuLine(), "<vcpu current='2'>4</vcpu>");
    assert.match(await stored(), new RegExp(["<vcpus>", "<vcpu id='0' enabled='yes' hotpluggable='no'/>", "<vcpu id='1' enabled='no' hotpluggable='yes'/>",
      "<vcpu id='2' enabled='yes' hotpluggable='yes'/>", "<vcpu id='3' enabled='no' hotpluggable='yes'/>", '</vcpus>'].join('\\n\\s+')));
    // vCPU 2 (enabled) goes with the maximum: one enabled vCPU is left.
    await setMax(2);
    assert.equal(await vcpuLine(), "<vcpu current='1'>2</vcpu>");
    assert.match(await stored(), /<vcpus>\n\s+<vcpu id='0' enabled='yes' hotpluggable='no'\/>\n\s+<vcpu id='1' enabled='no' hotpluggable='yes'\/>\n\s+<\/vcpus>/);
  });

  it('refuses a maximum that would leave no vCPU enabled, and changes nothing', async () => {
    const { stored, setMax } = await defined("<vcpu current='1'>2</vcpu><vcpus>" +
      "<vcpu id='0' enabled='no' hotpluggable='yes'/><vcpu id='1' enabled='yes' hotpluggable='no'/></vcpus>");
    const before = await stored();
    await assert.rejects(setMax(1), code('INVALID_ARGUMENT'));
    assert.equal(await stored(), before);
  });
});

describe('setvcpus --maximum --config against the rest of the definition', () => {
  it('a maximum that <cpu><topology> or a <numa> cell does not allow is refused and changes nothing', async () => {
    for (const cpu of ["<cpu><topology sockets='1' cores='2' threads='1'/></cpu>", "<cpu><numa><cell id='0' cpus='0-1' memory='1024'/></numa></cpu>"]) {
      const { stored, setMax } = await defined(`<vcpu>2</vcpu>${cpu}`);
      const before = await stored();
      await assert.rejects(setMax(cpu.includes('topology') ? 4 : 1), (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' &&
        /^(CPU topology doesn't match the desired vcpu count|Number of CPUs in <numa> exceeds the desired maximum vcpu count)/.test(e.message), cpu);
      assert.equal(await stored(), before);
    }
    const { setMax } = await defined("<vcpu>2</vcpu><cpu><topology sockets='1' cores='2' threads='1'/></cpu>");
    await setMax(2); // the count the topology has: allowed (libvirt lets a bad count be corrected this way)
  });

  it('the <vcpupin> of vCPUs above a lowered maximum go with them (libvirt keeps a pin with its vCPU)', async () => {
    const { stored, setMax } = await defined("<vcpu current='1'>4</vcpu><cputune><vcpupin vcpu='0' cpuset='0'/><vcpupin vcpu='3' cpuset='1'/></cputune>");
    await setMax(2);
    assert.match(await stored(), /<cputune>\n\s+<vcpupin vcpu='0' cpuset='0'\/>\n\s+<\/cputune>/);
    await setMax(1);
    const only = await defined("<vcpu>4</vcpu><cputune><vcpupin vcpu='3' cpuset='1'/></cputune>");
    await only.setMax(2);
    assert.doesNotMatch(await only.stored(), /<cputune/, 'no empty <cputune/> left behind');
  });
});
