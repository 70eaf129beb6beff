// vCPU hotplug plans: -smp starts the current vCPUs and leaves room up to the maximum; a grow
// device_adds the free slots of query-hotpluggable-cpus (as QEMU 7.2 lists them, highest first)
// in vCPU id order with libvirt's vcpuN ids, a shrink device_dels hot-plugged ones highest first,
// and the bounds and the vCPUs made at start are refused with their codes; the live XML carries
// <vcpu current> and <vcpus> and parses back to the same slots.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qemu72Caps } from '../../../../tests/golden/caps.js';
import { isVirtkitError } from '../../errors.js';
import { formatDomainXml, parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import { capsView } from '../argv/caps-view.js';
import { buildQemuArgv } from '../argv/index.js';
import type { HotpluggableCpu } from './vcpu-plan.js';
import { planSetVcpus, planStartupVcpus, startupVcpusProblem, vcpuSlots, withVcpuSlots } from './vcpu-plan.js';

const domain = (vcpu: string, extra = ''): ReturnType<typeof parseDomainXml> => parseDomainXml(`<domain type='qemu'><name>t</name>
  <memory>65536</memory>${vcpu}${extra}<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`);

/** What QEMU 7.2 answers for -smp 1,maxcpus=N,sockets=N: the highest socket first, the started ones with a qom-path. */
function hotpluggable(max: number, present: readonly number[]): HotpluggableCpu[] {
  return Array.from({ length: max }, (_, i) => max - 1 - i).map((s) => ({
    type: 'qemu64-x86_64-cpu', 'vcpus-count': 1, props: { 'socket-id': s, 'core-id': 0, 'thread-id': 0 },
    ...(present.includes(s) ? { 'qom-path': `/machine/unattached/device[${s}]` } : {}),
  }));
}

const codeOf = (code: string) => (e: unknown): boolean => isVirtkitError(e) && e.code === code;

test("<vcpu current='1'>4</vcpu> starts 1 vCPU with room for 4 (-smp 1,maxcpus=4)", () => {
  const def = prepareDomain(domain("<vcpu current='1'>4</vcpu>"), { random: (n) => new Uint8Array(n) });
  const args = buildQemuArgv(def, capsView(qemu72Caps()), { libDir: '/l', monitor: { path: '/m' } }).args;
  assert.equal(args[args.indexOf('-smp') + 1], '1,maxcpus=4,sockets=4,cores=1,threads=1');
});

test('the slots of a domain without <vcpus>: the current ones enabled and not hotpluggable, in order', () => {
  assert.deepEqual(vcpuSlots(domain("<vcpu current='2'>3</vcpu>")), [
    { id: 0, enabled: true, hotpluggable: false, order: 1 },
    { id: 1, enabled: true, hotpluggable: false, order: 2 },
    { id: 2, enabled: false, hotpluggable: true },
  ]);
});

test('a grow plugs the free slots in vCPU id order, with the type and topology ids QEMU lists', () => {
  const plan = planSetVcpus(vcpuSlots(domain("<vcpu current='1'>4</vcpu>")), 3, hotpluggable(4, [0]));
  assert.deepEqual(plan.steps.map((s) => s.call), [
    { command: 'device_add', args: { driver: 'qemu64-x86_64-cpu', id: 'vcpu1', 'socket-id': 1, 'core-id': 0, 'thread-id': 0 } },
    { command: 'device_add', args: { driver: 'qemu64-x86_64-cpu', id: 'vcpu2', 'socket-id': 2, 'core-id': 0, 'thread-id': 0 } },
  ]);
  assert.deepEqual(plan.slots.map((s) => [s.id, s.enabled, s.order]), [[0, true, 1], [1, true, 2], [2, true, 3], [3, false, undefined]]);
});

test('a shrink unplugs hot-plugged vCPUs, highest id first, and never one made at start', () => {
  const grown = planSetVcpus(vcpuSlots(domain("<vcpu current='1'>4</vcpu>")), 4, hotpluggable(4, [0])).slots;
  const plan = planSetVcpus(grown, 2, hotpluggable(4, [0, 1, 2, 3]));
  assert.deepEqual(plan.steps.map((s) => s.call), [
    { command: 'device_del', args: { id: 'vcpu3' } },
    { command: 'device_del', args: { id: 'vcpu2' } },
  ]);
  assert.deepEqual(plan.slots.filter((s) => s.enabled).map((s) => s.id), [0, 1]);
  assert.throws(() => planSetVcpus(vcpuSlots(domain("<vcpu current='2'>4</vcpu>")), 1, hotpluggable(4, [0, 1])),
    (e: unknown) => codeOf('VCPU_NOT_HOTPLUGGABLE')(e) && /vCPUs 0, 1 are not hotpluggable .* keeps at least 2/.test((e as Error).message));
});

test('the same count plans nothing; below 1 or above the maximum is VCPU_COUNT_INVALID', () => {
  const slots = vcpuSlots(domain("<vcpu current='1'>2</vcpu>"));
  assert.deepEqual(planSetVcpus(slots, 1, hotpluggable(2, [0])).steps, []);
  for (const n of [0, 3, 1.5]) assert.throws(() => planSetVcpus(slots, n, hotpluggable(2, [0])), codeOf('VCPU_COUNT_INVALID'));
  assert.throws(() => planSetVcpus(slots, 2, hotpluggable(3, [0])), codeOf('UNSUPPORTED_OPERATION'));
});

test('the live XML carries <vcpu current> and <vcpus>, and parses back to the same slots', () => {
  const def = domain("<vcpu current='1'>2</vcpu>");
  const slots = planSetVcpus(vcpuSlots(def), 2, hotpluggable(2, [0])).slots;
  const xml = formatDomainXml(withVcpuSlots(def, slots));
  assert.match(xml, /<vcpu>2<\/vcpu>\n {2}<vcpus>\n {4}<vcpu id='0' enabled='yes' hotpluggable='no' order='1'\/>\n {4}<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'\/>\n {2}<\/vcpus>/);
  assert.deepEqual(vcpuSlots(parseDomainXml(xml)), slots);
  const back = withVcpuSlots(def, planSetVcpus(slots, 1, hotpluggable(2, [0, 1])).slots);
  assert.match(formatDomainXml(back), /<vcpu current='1'>2<\/vcpu>\n {2}<vcpus>\n {4}<vcpu id='0' enabled='yes' hotpluggable='no' order='1'\/>\n {4}<vcpu id='1' enabled='no' hotpluggable='yes'\/>/);
});

const argvSmp = (def: ReturnType<typeof parseDomainXml>): string => {
  const args = buildQemuArgv(prepareDomain(def, { random: (n) => new Uint8Array(n) }), capsView(qemu72Caps()), { libDir: '/l', monitor: { path: '/m' } }).args;
  return args[args.indexOf('-smp') + 1] ?? '';
};
const vcpusXml = (attrs: string[]): string => `<vcpus>${attrs.map((a, i) => `<vcpu id='${i}' ${a}/>`).join('')}</vcpus>`;

test("with <vcpus>, -smp makes the enabled vCPUs with hotpluggable='no'; the enabled hotpluggable ones are plugged at start, in order", () => {
  const def = domain("<vcpu current='3'>4</vcpu>", vcpusXml(["enabled='yes' hotpluggable='no' order='1'", "enabled='no' hotpluggable='yes'",
    "enabled='yes' hotpluggable='yes' order='3'", "enabled='yes' hotpluggable='yes' order='2'"]));
  assert.equal(startupVcpusProblem(def), undefined);
  assert.equal(argvSmp(def), '1,maxcpus=4,sockets=4,cores=1,threads=1');
  assert.deepEqual(planStartupVcpus(def, hotpluggable(4, [0])).map((s) => [s.vcpu, s.call.args['id'], s.call.args['socket-id']]), [[3, 'vcpu3', 3], [2, 'vcpu2', 2]]);
  assert.deepEqual(planStartupVcpus(domain("<vcpu current='1'>4</vcpu>"), hotpluggable(4, [0])), []);
});

test('a start refuses a <vcpus> that -smp cannot give: gaps, a count that differs, a fixed vCPU after a hotpluggable one', () => {
  const v = vcpusXml;
  assert.equal(startupVcpusProblem(domain("<vcpu current='1'>2</vcpu>", v(["enabled='yes' hotpluggable='no'", "enabled='no' hotpluggable='yes'"]))), undefined);
  assert.match(startupVcpusProblem(domain("<vcpu current='1'>2</vcpu>", v(["enabled='no' hotpluggable='yes'", "enabled='yes' hotpluggable='no'"]))) ?? '', /vCPU 1 is not/);
  assert.match(startupVcpusProblem(domain("<vcpu current='1'>2</vcpu>", v(["enabled='yes' hotpluggable='yes'", "enabled='no'"]))) ?? '', /vCPU 0 must be enabled with hotpluggable='no'/);
  assert.match(startupVcpusProblem(domain("<vcpu current='1'>2</vcpu>", v(["enabled='yes'", "enabled='yes'"]))) ?? '', /2 vCPUs are enabled but <vcpu current> is 1/);
  assert.match(startupVcpusProblem(domain('<vcpu>3</vcpu>', v(["enabled='yes'", "enabled='yes'"]))) ?? '', /each vCPU id from 0 to 2/);
});
