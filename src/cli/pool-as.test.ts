// pool-define-as / pool-create-as --print-xml: the XML virsh's virshBuildPoolXML builds, with the
// auth flags (--auth-type, --auth-username, --secret-usage | --secret-uuid) and virtkit's
// --source-port; checked against libvirt's pool-rbd.xml sample (shared cases) as a parsed model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { needsShared, requireSharedSet } from '../../tests/helpers/shared-cases.js';
import { parsePoolXml } from '../core/xml/storage/index.js';
import { run } from './run.js';

async function virtkit(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: '/' });
  return { code, stdout, stderr };
}

const UUID = '2ec115d7-3a88-3ceb-bc12-0ac909a6fd87';

test('pool-define-as --print-xml writes <auth> after <host> and before <name>, as virsh', async () => {
  const r = await virtkit('pool-define-as', 'ceph', 'rbd', '--source-host', 'localhost', '--source-port', '6789', '--source-name', 'rbd',
    '--auth-type', 'ceph', '--auth-username', 'admin', '--secret-uuid', UUID, '--print-xml');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `<pool type='rbd'>
  <name>ceph</name>
  <source>
    <host name='localhost' port='6789'/>
    <auth type='ceph' username='admin'>
      <secret uuid='${UUID}'/>
    </auth>
    <name>rbd</name>
  </source>
</pool>

`);
  const usage = await virtkit('pool-create-as', 'ceph', 'rbd', 'mon1', '--source-name', 'rbd', '--auth-type', 'ceph', '--auth-username', 'libvirt',
    '--secret-usage', "client.libvirt's <key>", '--print-xml');
  assert.equal(usage.code, 0, usage.stderr);
  assert.match(usage.stdout, /<host name='mon1'\/>\n {4}<auth type='ceph' username='libvirt'>\n {6}<secret usage='client\.libvirt&apos;s &lt;key&gt;'\/>\n {4}<\/auth>\n {4}<name>rbd<\/name>/);
});

test('a partial or conflicting auth set and a bad --source-port are refused, not dropped', async () => {
  const cases: [string[], RegExp][] = [
    [['--auth-type', 'ceph', '--auth-username', 'admin'], /--auth-type, --auth-username and one of --secret-usage or --secret-uuid go together/],
    [['--secret-uuid', UUID], /go together/],
    [['--auth-type', 'ceph', '--auth-username', 'a', '--secret-uuid', UUID, '--secret-usage', 'x'], /--secret-usage and --secret-uuid are mutually exclusive/],
    [['--source-name', 'rbd', '--source-port', '6789'], /--source-port needs --source-host/],
    [['--source-host', 'h', '--source-port', '67x'], /--source-port '67x' is not a port number/],
  ];
  for (const [flags, msg] of cases) {
    const r = await virtkit('pool-define-as', 'ceph', 'rbd', ...flags, '--print-xml');
    assert.equal(r.code, 1, flags.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, msg);
  }
});

describe('pool-define-as against libvirt\'s rbd pool sample', needsShared('other'), () => {
  const sample = readFileSync(join(requireSharedSet('other'), 'storagepool', 'pool-rbd.xml'), 'utf8');
  test('the flags give pool-rbd.xml\'s pool (less its uuid and second monitor, which the flags cannot say)', async () => {
    const want = parsePoolXml(sample);
    const host = want.source?.host?.[0];
    const auth = want.source?.auth;
    assert.ok(host && auth && want.source?.name !== undefined && auth.secret.uuid !== undefined);
    const r = await virtkit('pool-define-as', want.name, want.type, '--source-host', host.name, '--source-port', String(host.port),
      '--source-name', want.source.name, '--auth-type', auth.type, '--auth-username', auth.username, '--secret-uuid', auth.secret.uuid, '--print-xml');
    assert.equal(r.code, 0, r.stderr);
    const { uuid: _uuid, ...rest } = want;
    assert.deepEqual(parsePoolXml(r.stdout), { ...rest, source: { ...want.source, host: [host] } });
  });
});
