import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { run } from '../../src/cli/run.js';
import { NoHypervisor } from '../../src/daemon/driver-none.js';
import type { InstanceLayout } from '../../src/daemon/paths.js';
import { until } from '../helpers/wait.js';
import { api, assertLeftNothing, cli, domainXml, inProcessDaemon, isAlive, tempRoot } from './daemon-harness.js';

const U1 = '6695eb01-f6a4-8304-79aa-97f2502e193f';
const noDriver = () => Promise.resolve(new NoHypervisor('this test runs without a hypervisor driver'));

async function withDaemon(fn: (root: string, layout: InstanceLayout) => Promise<void>): Promise<void> {
  const d = await inProcessDaemon({ loadDriver: noDriver });
  try {
    await fn(d.root, d.layout);
  } finally {
    await d.close();
  }
}

describe('virtkit CLI against a real daemon', () => {
  it('prints what virsh prints: define, list, dominfo, domstate, domid, domuuid, dumpxml, autostart, undefine', () => withDaemon(async (root, layout) => {
    await writeFile(join(root, 'vm1.xml'), domainXml('vm1', `  <uuid>${U1}</uuid>\n`));
    await writeFile(join(root, 'b.xml'), domainXml('Beta'));
    const ok = async (argv: string[], stdout: string) => {
      const r = await cli(root, argv);
      assert.deepEqual(r, { code: 0, stdout, stderr: '' }, argv.join(' '));
    };
    await ok(['list', '--all'], ' Id   Name   State\n--------------------\n\n');
    await ok(['define', 'vm1.xml'], "Domain 'vm1' defined from vm1.xml\n\n");
    await ok(['define', 'b.xml'], "Domain 'Beta' defined from b.xml\n\n");
    await ok(['list'], ' Id   Name   State\n--------------------\n\n');
    await ok(['list', '--all'], ' Id   Name   State\n-----------------------\n -    Beta   shut off\n -    vm1    shut off\n\n');
    await ok(['list', '--inactive', '--name'], 'Beta\nvm1\n\n');
    await ok(['list', '--state-running', '--name'], '\n');
    await ok(['dominfo', 'vm1'], [
      'Id:             -', 'Name:           vm1', `UUID:           ${U1}`, 'OS Type:        hvm', 'State:          shut off',
      'CPU(s):         1', 'Max memory:     65536 KiB', 'Used memory:    65536 KiB', 'Persistent:     yes',
      'Autostart:      disable', 'Managed save:   no', '', '',
    ].join('\n'));
    await ok(['domstate', 'vm1'], 'shut off\n\n');
    await ok(['domstate', '--reason', 'vm1'], 'shut off (unknown)\n\n');
    await ok(['domid', 'vm1'], '-\n\n');
    await ok(['domuuid', 'vm1'], `${U1}\n\n`);
    await ok(['domname', U1], 'vm1\n\n');
    await ok(['autostart', '--domain', 'vm1'], "Domain 'vm1' marked as autostarted\n\n");
    await ok(['list', '--all', '--autostart', '--uuid', '--name'], `${U1} vm1\n\n`);
    await ok(['autostart', 'vm1', '--disable'], "Domain 'vm1' unmarked as autostarted\n\n");
    const xml = await cli(root, ['dumpxml', 'vm1', '--inactive']);
    assert.match(xml.stdout, new RegExp(`^<domain type='qemu'>\n  <name>vm1</name>\n  <uuid>${U1}</uuid>\n(.*\n)*</domain>\n\n$`));
    assert.equal(xml.stdout, `${((await api(layout, 'GET', '/v1/domains/vm1/xml')).body as { xml: string }).xml}\n`);
    await ok(['undefine', 'vm1'], "Domain 'vm1' has been undefined\n\n");
    await ok(['list', '--all', '--name'], 'Beta\n\n');
  }));

  it('fails as virsh fails: error lines on stderr, status 1', () => withDaemon(async (root) => {
    await writeFile(join(root, 'bad.xml'), '<domain><name>x</name></domain>');
    await writeFile(join(root, 'vm1.xml'), domainXml('vm1'));
    await cli(root, ['define', 'vm1.xml']);
    const fails = async (argv: string[], stderr: RegExp, stdout = '\n') => {
      const r = await cli(root, argv);
      assert.equal(r.code, 1, argv.join(' '));
      assert.equal(r.stdout, stdout, argv.join(' '));
      assert.match(r.stderr, stderr, argv.join(' '));
    };
    await fails(['dominfo', 'nope'], /^error: failed to get domain 'nope'\nerror: domain 'nope' not found: .*\n$/);
    await fails(['define', 'bad.xml'], /^error: Failed to define domain from bad.xml\nerror: \/domain\/@type: .*\n$/);
    await fails(['define', 'missing.xml'], /^error: Failed to open file 'missing.xml': No such file or directory\n$/);
    await fails(['start', 'vm1'], /^error: Failed to start domain 'vm1'\nerror: cannot start a domain: this test runs without a hypervisor driver\n$/);
    await fails(['destroy', 'vm1'], /^error: Failed to destroy domain 'vm1'\nerror: domain 'vm1' is not running\n$/);
    await fails(['shutdown', 'vm1', '--mode', 'initctl'], /^error: Unknown mode initctl value, expecting 'acpi' or 'agent'\n$/, '');
    await fails(['frobnicate'], /^error: unknown command: 'frobnicate'\n$/, '');
    await fails(['list', '--bogus'], /^error: command 'list' doesn't support option --bogus\n$/, '');
    await fails(['dominfo'], /^error: command 'dominfo' requires <domain> option\n$/, '');
    await fails(['dominfo', 'vm1', 'extra'], /^error: unexpected data 'extra'\n$/, '');
    const json = await cli(root, ['dominfo', 'nope', '--json']);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stderr).error.code, 'DOMAIN_NOT_FOUND');
  }));

  it('prints JSON on every command that has a result', () => withDaemon(async (root) => {
    await writeFile(join(root, 'vm1.xml'), domainXml('vm1'));
    const runs: [string[], (v: Record<string, unknown>) => boolean][] = [
      [['define', 'vm1.xml'], (v) => v['created'] === true],
      [['list', '--all'], (v) => Array.isArray(v) && v.length === 1],
      [['dominfo', 'vm1'], (v) => v['name'] === 'vm1' && v['state'] === 'shutoff'],
      [['domstate', 'vm1'], (v) => v['state'] === 'shutoff' && v['reason'] === 'unknown'],
      [['domid', 'vm1'], (v) => v['id'] === null],
      [['domuuid', 'vm1'], (v) => typeof v['uuid'] === 'string'],
      [['dumpxml', 'vm1'], (v) => typeof v['xml'] === 'string'],
      [['autostart', 'vm1'], (v) => v['autostart'] === true],
      [['uri'], (v) => v['uri'] === `qemu:///embed?root=${root}`],
      [['hostname'], (v) => typeof v['hostname'] === 'string'],
      [['nodeinfo'], (v) => typeof v['cpus'] === 'number'],
      [['version'], (v) => typeof v['daemon'] === 'string'],
      [['undefine', 'vm1'], (v) => v['persistent'] === false],
    ];
    for (const [argv, check] of runs) {
      const r = await cli(root, ['--json', ...argv]);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      assert.ok(check(JSON.parse(r.stdout) as Record<string, unknown>), `${argv.join(' ')}: ${r.stdout}`);
    }
  }));

  it('answers uri, nodeinfo, hostname and version in virsh\'s shapes', () => withDaemon(async (root) => {
    assert.equal((await cli(root, ['uri'])).stdout, `qemu:///embed?root=${root}\n\n`);
    assert.match((await cli(root, ['nodeinfo'])).stdout,
      /^CPU model: {11}\S+\nCPU\(s\): {14}\d+\nCPU frequency: {7}\d+ MHz\nCPU socket\(s\): {7}\d+\nCore\(s\) per socket: {2}\d+\nThread\(s\) per core: {2}\d+\nNUMA cell\(s\): {8}\d+\nMemory size: {9}\d+ KiB\n\n$/);
    assert.match((await cli(root, ['version', '--daemon'])).stdout,
      /^Compiled against library: virtkit \S+\nUsing library: virtkit \S+\nUsing API: QEMU \S+\nRunning against daemon: \S+\n\n$/);
    assert.match((await cli(root, ['help'])).stdout, /^Grouped commands:\n\n Domain Management \(help keyword 'domain'\):\n {4}autostart {22}autostart a domain\n/);
    const help = await cli(root, ['help']);
    for (const name of Object.keys(COMMANDS)) assert.match(help.stdout, new RegExp(`\\n {4}${name} `));
    assert.match((await cli(root, ['help', 'list'])).stdout, /--state-running/);
  }));

  it('starts a daemon for a rooted instance when none answers, in the background', async () => {
    const { root, layout } = await tempRoot();
    let pid: number | undefined;
    try {
      const r = await cli(root, ['list', '--all']);
      assert.deepEqual(r, { code: 0, stdout: ' Id   Name   State\n--------------------\n\n', stderr: '' });
      pid = Number(await readFile(layout.pidfile, 'utf8'));
      assert.ok(isAlive(pid));
      assert.match(await readFile(layout.daemonLog, 'utf8'), /ready in/);
      // A second command finds it: still the same daemon.
      await cli(root, ['list']);
      assert.equal(Number(await readFile(layout.pidfile, 'utf8')), pid);
    } finally {
      if (pid !== undefined) {
        process.kill(pid, 'SIGTERM');
        const daemonPid = pid;
        await until(`daemon ${daemonPid} gone after SIGTERM`, () => !isAlive(daemonPid), 10_000);
      }
      await assertLeftNothing(root, layout, pid);
    }
  });

  // Where a system daemon runs, the test is reported as skipped, not passed.
  const systemDaemon = existsSync('/run/virtkit/virtkitd.sock') ? 'a system virtkitd runs on this host' : false;
  it('says clearly that the system daemon is not running, and starts nothing', { skip: systemDaemon }, async () => {
    // Not through cli(), which names a --root.
    let stderr = '';
    const code = await run(['-c', 'qemu:///system', 'list'], { stdout: () => undefined, stderr: (t) => { stderr += t; }, env: {}, cwd: '/' });
    assert.equal(code, 1);
    assert.match(stderr, /^error: failed to connect to the hypervisor\nerror: virtkitd for qemu:\/\/\/system is not running .*virtkitd --system/);
    assert.equal(existsSync('/run/virtkit/virtkitd.sock'), false);
  });
});
