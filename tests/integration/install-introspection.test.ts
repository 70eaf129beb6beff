/**
 * What `virtkit install` prints instead of installing, against an in-process daemon: `--osinfo list` (the
 * host's osinfo-db through GET /v1/osinfo, as virt-install 4.1 prints it: compared line for line with the
 * host's own virt-install when it is installed), `--flag=?` / `--flag help` (the flag's keys on stdout, in
 * virt-install's layout), and an unknown key's error with the keys the flag takes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { flagKeys } from '../../src/core/options/install-argv.js';
import { cli, inProcessDaemon, type InProcess } from './daemon-harness.js';

const run = promisify(execFile);
const VIRT_INSTALL = '/usr/bin/virt-install';

describe('virtkit install: lists instead of an install', { timeout: 120_000 }, () => {
  let d: InProcess;
  before(async () => {
    d = await inProcessDaemon();
  });
  after(async () => {
    await d.close();
  });

  it('--osinfo list prints each OS\'s short-ids in virt-install\'s order, generic among them, and makes nothing', async () => {
    const r = await cli(d.root, ['install', '--osinfo', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes('debian11, debianbullseye'), 'all short-ids of an OS on its line');
    assert.ok(lines.includes('generic'));
    const at = (l: string): number => lines.indexOf(l);
    assert.ok(at('debian11, debianbullseye') < at('debian10, debianbuster') && at('debian10, debianbuster') < at('debian9, debianstretch'), 'numbers sort in reverse');
    assert.ok(r.stdout.endsWith('\nYou can see additional information with:\n\n  osinfo-query os\n\n'), r.stdout.slice(-200));
    assert.deepEqual(await d.daemon.engine.dispatch({ kind: 'list', filter: {} }), [], 'no domain');
    const json = await cli(d.root, ['--json', 'install', '--osinfo', 'list']);
    const body = JSON.parse(json.stdout) as { oses: Array<{ id: string; shortIds: string[]; name: string }> };
    const deb = body.oses.find((o) => o.id === 'http://debian.org/debian/11');
    assert.deepEqual([deb?.shortIds, deb?.name], [['debian11', 'debianbullseye'], 'Debian 11']);
  });

  it('--osinfo list is the host\'s virt-install --osinfo list, line for line', { skip: !existsSync(VIRT_INSTALL) && `${VIRT_INSTALL} is not installed` }, async () => {
    const theirs = (await run(VIRT_INSTALL, ['--osinfo', 'list'], { encoding: 'utf8', maxBuffer: 8 << 20 })).stdout;
    const ours = await cli(d.root, ['install', '--osinfo', 'list']);
    assert.equal(ours.stdout, theirs);
  });

  it('osinfo-query os prints the database in osinfo-query\'s columns, sorted by short-id', async () => {
    const r = await cli(d.root, ['osinfo-query', 'os']);
    assert.deepEqual([r.code, r.stderr], [0, '']);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], ` ${'Short ID'.padEnd(20)} | ${'Name'.padEnd(50)} | ${'Version'.padEnd(8)} | ${'ID'.padEnd(40)}`);
    assert.equal(lines[1], `-${'-'.repeat(20)}-+-${'-'.repeat(50)}-+-${'-'.repeat(8)}-+-${'-'.repeat(40)}`);
    assert.ok(lines.includes(` ${'debian11'.padEnd(20)} | ${'Debian 11'.padEnd(50)} | ${'11'.padEnd(8)} | ${'http://debian.org/debian/11'.padEnd(40)}`), r.stdout.slice(0, 2000));
    const ids = lines.slice(2, -1).map((l) => l.slice(1, 21).trimEnd());
    assert.deepEqual(ids, [...ids].sort(), 'sorted by short-id (code points)');
    assert.ok(!ids.includes('generic'));
    const bad = await cli(d.root, ['osinfo-query', 'device']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Unknown type 'device' requested/);
  });

  it('--disk=? and --network help print the flag\'s keys on stdout as virt-install does (address.* first) and install nothing', async () => {
    const r = await cli(d.root, ['install', '--name', 'x', '--disk=?']);
    assert.deepEqual([r.code, r.stderr], [0, '']);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], '--disk options:');
    assert.equal(lines[1], '  address.bus');
    assert.ok(lines.includes('  backing_store') && lines.includes('  linked') && lines.includes('  size'), r.stdout);
    assert.ok(lines.indexOf('  address.unit') < lines.indexOf('  alias.name'));
    assert.ok(r.stdout.endsWith('  wwn\n\n'), r.stdout.slice(-40));
    assert.equal(lines.length - 3, flagKeys('disk').length, 'every key once');
    const h = await cli(d.root, ['install', '--network', 'help']);
    assert.equal(h.code, 0);
    assert.ok(h.stdout.startsWith('--network options:\n  address.bus\n'), h.stdout);
    assert.ok(h.stdout.includes('\n  model.type\n') && h.stdout.includes('\n  virtualport.type\n'));
  });

  it('an unknown key is virt-install\'s error, followed by the keys the flag takes', async () => {
    const r = await cli(d.root, ['install', '--name', 'x', '--import', '--network', 'modle=virtio']);
    assert.equal(r.code, 1);
    const [first, second] = r.stderr.split('\n');
    assert.equal(first, "error: Unknown --network options: ['modle']");
    assert.match(second ?? '', /^error: valid --network options: address\.bus .* model .* virtualport\.type \(see --network=\?\)$/);
    const json = await cli(d.root, ['--json', 'install', '--network', 'modle=virtio']);
    const err = JSON.parse(json.stderr) as { error: { code: string; details: { valid: string[]; unknown: string[] } } };
    assert.equal(err.error.code, 'INVALID_ARGUMENT');
    assert.deepEqual(err.error.details.unknown, ['modle']);
    assert.ok(err.error.details.valid.includes('model.type'));
  });
});
