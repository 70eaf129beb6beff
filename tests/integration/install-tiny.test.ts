/**
 * Real installs the issue names, against an in-process daemon:
 *  - `virtkit install --import --disk vol=default/tiny.qcow2,linked=on --network network=NET` of the tiny
 *    image (`virtkit image build`): the disk is a new qcow2 overlay backed by the pool's image, and the
 *    guest boots from it and gets a DHCP lease on a virtkit NAT network of the test's own (never `default`);
 *  - `--cloud-init user-data=FILE,meta-data=FILE,network-config=FILE` through the install: the seed the
 *    running install phase boots with holds those files byte for byte (read back with xorriso), and it is
 *    gone once the install phase ends.
 * After the file: no bridge, tap, dnsmasq or nft table of the test is left.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { installPhaseEnd } from '../../src/daemon/install/phases.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { listIsoFiles, readIsoFile } from '../helpers/iso-read.js';
import { linksNamed } from '../helpers/net-lab.js';
import { processesMentioning } from '../helpers/qemu-spawn.js';
import { until } from '../helpers/wait.js';
import { cli, inProcessDaemon, type InProcess } from './daemon-harness.js';

const run = promisify(execFile);
const tag = `vkit${randomBytes(2).toString('hex')}`;
const NET = `${tag}nat`;
const SUB = `10.238.${randomInt(10, 250)}`;
const MAC = `52:54:00:7f:${tag.slice(4, 6)}:${tag.slice(6, 8)}`;
const VM = `${tag}-vm`;
const CI = `${tag}-ci`;

const netXml = `<network>
  <name>${NET}</name>
  <forward mode='nat'/>
  <bridge name='${tag}br'/>
  <ip address='${SUB}.1' netmask='255.255.255.0'>
    <dhcp><range start='${SUB}.100' end='${SUB}.199'/></dhcp>
  </ip>
</network>`;

describe('virtkit install: real guests', { timeout: 600_000 }, () => {
  let d: InProcess;
  before(async () => {
    d = await inProcessDaemon();
  });
  after(async () => {
    const engine = d.daemon.engine;
    for (const name of [VM, CI]) {
      await engine.dispatch({ kind: 'destroy', name }).catch(() => undefined);
      await engine.dispatch({ kind: 'undefine', name }).catch(() => undefined);
    }
    await engine.dispatch({ kind: 'netDestroy', network: NET }).catch(() => undefined);
    await engine.dispatch({ kind: 'netUndefine', network: NET }).catch(() => undefined);
    await d.close();
    assert.deepEqual(await linksNamed(tag), [], 'no bridge or tap of the test is left');
    assert.doesNotMatch((await run('nft', ['list', 'tables'])).stdout, new RegExp(tag), 'no nft table of the test is left');
    assert.deepEqual(processesMentioning(`/${NET}.conf`), [], 'no dnsmasq of the test is left');
  });

  it('--import of the tiny image as a linked clone on a NAT network boots it and it gets a lease', async () => {
    const engine = d.daemon.engine;
    const built = await cli(d.root, ['image', 'build']);
    assert.equal(built.code, 0, built.stderr);
    await engine.dispatch({ kind: 'netDefine', xml: netXml });
    await engine.dispatch({ kind: 'netStart', network: NET });
    const r = await cli(d.root, ['install', '--name', VM, '--memory', '256', '--vcpus', '1', '--osinfo', 'linux2022', '--import',
      '--disk', 'vol=default/tiny.qcow2,linked=on', '--network', `network=${NET},mac=${MAC}`, '--graphics', 'none', '--noautoconsole']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `\nStarting install...\nAllocated '${VM}.qcow2' in pool 'default'\nDomain creation completed.\n\n`);
    const vol = await engine.dispatch({ kind: 'volGet', pool: 'default', volume: `${VM}.qcow2` });
    const base = join(d.layout.imagesDir, 'tiny.qcow2');
    assert.deepEqual([vol.format, vol.backing], ['qcow2', { path: base, format: 'qcow2' }], 'a linked clone of the pool image');
    const xml = await engine.dispatch({ kind: 'dumpxml', name: VM });
    assert.ok(xml.includes(`<source file='${vol.path}'/>`) || xml.includes(`<source file="${vol.path}"/>`), xml);

    const addr = await until('a DHCP lease for the installed guest', async () => {
      const ifs = await engine.dispatch({ kind: 'domIfAddr', name: VM });
      return ifs.find((i) => i.mac === MAC)?.addrs.find((a) => a.type === 'ipv4')?.addr;
    }, 180_000);
    assert.ok(addr.startsWith(`${SUB}.`), addr);
    const leases = await engine.dispatch({ kind: 'netLeases', network: NET });
    assert.deepEqual(leases.map((l) => [l.mac, l.ip, l.hostname]), [[MAC, addr, 'tiny']]);
    // The guest runs from its clone: its root is the clone's ext4 partition.
    const shell = new GuestShell((await engine.dispatch({ kind: 'console', name: VM })).stream);
    assert.match(await shell.check('cat /proc/mounts'), /^\/dev\/vda1 \/ ext4 rw[, ]/m);
    await shell.check(`ping -c 1 -W 5 ${SUB}.1`);
  });

  it('--cloud-init user-data=, meta-data=, network-config= files reach the seed the install phase boots with byte for byte', async () => {
    const engine = d.daemon.engine;
    const work = join(d.root, 'ci-files');
    await mkdir(work);
    const files = {
      'user-data': '#cloud-config\nhostname: café-01\nwrite_files:\n  - path: /etc/motd\n    content: "seeded, by virtkit install"\n',
      'meta-data': 'instance-id: iid-tiny-01\nlocal-hostname: tiny-01\n',
      'network-config': 'version: 2\nethernets:\n  all:\n    match: {name: "e*"}\n    dhcp4: true\n',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(work, `${name}.yaml`), text);
    // Relative paths: the daemon reads them from the CLI's working directory.
    const r = await cli(d.root, ['install', '--name', CI, '--memory', '64', '--osinfo', 'generic', '--import', '--disk', 'none',
      '--network', 'none', '--graphics', 'none', '--noautoconsole',
      '--cloud-init', 'user-data=user-data.yaml,meta-data=meta-data.yaml,network-config=network-config.yaml'], work);
    assert.equal(r.code, 0, r.stderr);
    const boot = join(d.layout.stateDir, 'boot');
    const seeds = await readdir(boot);
    assert.equal(seeds.length, 1, seeds.join(' '));
    const seed = join(boot, seeds[0] ?? '');
    assert.ok((await engine.dispatch({ kind: 'dumpxml', name: CI })).includes(seed), 'the install phase runs with the seed');
    assert.deepEqual(await listIsoFiles(seed), ['/meta-data', '/network-config', '/user-data']);
    for (const name of Object.keys(files)) {
      assert.deepEqual(await readIsoFile(seed, `/${name}`), await readFile(join(work, `${name}.yaml`)), `${name} differs`);
    }
    const ended = installPhaseEnd(engine.ctx, CI);
    await engine.dispatch({ kind: 'destroy', name: CI });
    assert.deepEqual(await ended, { stopped: 'destroyed', restarted: false });
    assert.deepEqual(await readdir(boot), [], 'the seed is removed with the install phase');
  });
});
