// The launch plan against the captured QEMU 7.2 capabilities: the console on
// a unix socket in the run dir (the live XML still says pty), lifecycle
// policy, -no-reboot, the ISA pvpanic device, the agent channel, and a comma
// in the instance's path that must not inject QEMU options.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { capsView } from '../../core/qemu/argv/caps-view.js';
import { prepareDomain } from '../../core/xml/domain/defaults/index.js';
import { parseDomain, prepareDomain as daemonPrepare, formatDomain } from '../domain-xml.js';
import type { DomainRuntimePaths } from '../paths.js';
import { qemu72Caps } from '../../../tests/golden/caps.js';
import { planLaunch } from './launch-plan.js';

const caps = capsView(qemu72Caps());
const prepare = (d: Parameters<typeof prepareDomain>[0]) => prepareDomain(d, { random: (n) => randomBytes(n) });

function paths(root: string): DomainRuntimePaths {
  return { runDir: `${root}/run/d/u`, qmpSocket: `${root}/run/d/u/qmp.sock`, consoleSocket: `${root}/run/d/u/console.sock`, libDir: `${root}/lib`, logFile: `${root}/log/g.log` };
}

function xml(extra = '', devices = ''): string {
  return `<domain type='qemu'><name>g</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
    <os><type arch='x86_64' machine='pc'>hvm</type><kernel>/k</kernel></os>
    <features><acpi/></features>${extra}
    <devices><serial type='pty'/><console type='pty'/>${devices}</devices></domain>`;
}

const plan = (x: string, root = '/r') => planLaunch(daemonPrepare(parseDomain(x)), prepare, caps, paths(root), undefined);

test('the first serial port runs on a unix socket in the run dir; the live XML still says pty', () => {
  const p = plan(xml());
  assert.equal(p.consoleSocket, '/r/run/d/u/console.sock');
  const args = p.argv.args.join(' ');
  assert.match(args, /-chardev socket,id=charserial0,path=\/r\/run\/d\/u\/console\.sock,server=on,wait=off/);
  assert.doesNotMatch(args, /-chardev pty/);
  assert.match(formatDomain(p.liveDef), /<serial type='pty'>/);
  assert.ok(p.argv.args.includes('-S'), 'vCPUs start stopped: the driver connects before the guest runs');
});

test('a comma in the instance path is escaped, not an option separator', () => {
  const p = plan(xml(), '/tmp/a,server=off');
  assert.ok(p.argv.args.some((a) => a.includes('path=/tmp/a,,server=off/run/d/u/console.sock,server=on')), p.argv.args.join(' '));
});

test('lifecycle policy: libvirt defaults, or what the XML says; -no-reboot when all is destroy', () => {
  assert.deepEqual(plan(xml()).policy, { onPoweroff: 'destroy', onReboot: 'restart', onCrash: 'destroy' });
  const p = plan(xml('<on_poweroff>restart</on_poweroff><on_crash>preserve</on_crash>'));
  assert.deepEqual(p.policy, { onPoweroff: 'restart', onReboot: 'restart', onCrash: 'preserve' });
  assert.equal(p.noReboot, false);
  assert.equal(plan(xml('<on_reboot>destroy</on_reboot>')).noReboot, true);
});

test("<panic model='isa'/> becomes the pvpanic device", () => {
  const p = plan(xml('', "<panic model='isa'/>"));
  assert.ok(p.argv.args.join(' ').includes('-device {"driver":"pvpanic"}'));
});

test('device aliases are reported for the status file', () => {
  const p = plan(xml());
  assert.equal(p.aliases['serial0'], 'serial');
});
