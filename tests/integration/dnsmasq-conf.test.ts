/**
 * The real dnsmasq (Debian's dnsmasq-base, scripts/setup.sh) accepts every configuration
 * virtkit generates: `dnsmasq --test --conf-file=F` for each libvirt network-dnsmasq case
 * and for a network using what those cases do not (forwarders, TXT and full SRV records,
 * local PTR, DHCPv6 static-only hosts, dnsmasq:options, a log file).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { dnsmasqConfig, dnsmasqPaths } from '../../src/core/network/dnsmasq.js';
import { networkProblems, parseNetworkXml } from '../../src/core/xml/network/index.js';
import { needsShared, requireSharedSet } from '../helpers/shared-cases.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'vk-dnsmasq-conf-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function installedVersion(): Promise<string> {
  const { stdout } = await run('dnsmasq', ['--version']).catch((e: unknown) => {
    throw new Error(`dnsmasq is not installed (Debian's dnsmasq-base; scripts/setup.sh installs it): ${(e as Error).message}`);
  });
  const m = /Dnsmasq version ([0-9.]+)/.exec(stdout);
  assert.ok(m?.[1], `unexpected dnsmasq --version output: ${stdout.slice(0, 80)}`);
  return m[1];
}

/** Writes the config and host files into a fresh directory and runs dnsmasq --test on it. */
async function check(xml: string, label: string, logFile = false): Promise<void> {
  const def = parseNetworkXml(xml);
  assert.deepEqual(networkProblems(def).map((e) => e.message), []);
  const dir = mkdtempSync(join(work, `${label}-`));
  const paths = { ...dnsmasqPaths(dir, def.name), ...(logFile ? { logFile: join(dir, 'dnsmasq.log') } : {}) };
  const out = dnsmasqConfig(def, paths, { version: await installedVersion() });
  writeFileSync(paths.confFile, out.conf);
  if (out.hostsFile !== null) writeFileSync(paths.hostsFile, out.hostsFile);
  if (out.addnHosts !== null) writeFileSync(paths.addnHostsFile, out.addnHosts);
  const res = await run('dnsmasq', ['--test', `--conf-file=${paths.confFile}`]).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`dnsmasq refused ${label}'s configuration: ${e.stderr ?? e.message}\n${out.conf}`);
  });
  assert.match(res.stderr + res.stdout, /syntax check OK/);
}

describe('dnsmasq --test accepts the libvirt cases virtkit configures', needsShared('network-dnsmasq'), () => {
  const dir = requireSharedSet('network-dnsmasq');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.xml')).sort()) {
    test(`dnsmasq --test: ${f}`, () => check(readFileSync(join(dir, f), 'utf8'), f.slice(0, -4)));
  }
});

test('dnsmasq --test accepts forwarders, TXT/SRV records, local PTR, static-only DHCPv6, dnsmasq:options and a log file', () =>
  check(
    `<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
      <name>vk-extra</name>
      <forward mode='nat'/>
      <bridge name='vkx0'/>
      <domain name='lab.test' localOnly='yes'/>
      <dns forwardPlainNames='no'>
        <forwarder addr='192.0.2.53'/>
        <forwarder domain='corp.test' addr='192.0.2.54'/>
        <forwarder domain='blocked.test'/>
        <txt name='example' value='some text'/>
        <srv service='ldap' protocol='tcp' domain='lab.test' target='ldap.lab.test' port='389' priority='10' weight='20'/>
        <host ip='10.77.0.5'><hostname>db</hostname></host>
      </dns>
      <ip address='10.77.0.1' prefix='24' localPtr='yes'>
        <dhcp>
          <range start='10.77.0.100' end='10.77.0.199'><lease expiry='1' unit='hours'/></range>
          <host mac='52:54:00:aa:bb:cc' name='web' ip='10.77.0.10'/>
        </dhcp>
      </ip>
      <ip family='ipv6' address='fd00:77::1' prefix='64'>
        <dhcp><host name='web' ip='fd00:77::10'/></dhcp>
      </ip>
      <dnsmasq:options>
        <dnsmasq:option value='cache-size=500'/>
      </dnsmasq:options>
    </network>`,
    'extra',
    true,
  ));
