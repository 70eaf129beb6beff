/** What the libvirt golden cases do not cover: forwarders, full SRV records, local PTR, static-only DHCPv6, dnsmasq:options, refusals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../errors.js';
import { parseNetworkXml } from '../xml/network/index.js';
import { dnsmasqConfig, dnsmasqPaths } from './dnsmasq.js';

const extra = parseNetworkXml(`<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
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
    <srv service='x' protocol='udp' target='h' priority='5'/>
    <host ip='10.77.0.5'><hostname>db</hostname></host>
    <host ip='10.77.0.5'><hostname>db2</hostname></host>
  </dns>
  <ip address='10.77.0.1' prefix='24' localPtr='yes'>
    <dhcp>
      <range start='10.77.0.100' end='10.77.0.199'><lease expiry='1' unit='hours'/></range>
      <host mac='52:54:00:aa:bb:cc' name='web' ip='10.77.0.10'/>
      <bootp file='pxe.img' server='10.77.0.2'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:77::1' prefix='64' localPtr='yes'>
    <dhcp><host name='web' ip='fd00:77::10'/></dhcp>
  </ip>
  <dnsmasq:options><dnsmasq:option value='cache-size=500'/></dnsmasq:options>
</network>`);

test('forwarders, local domain and PTR zones, TXT/SRV records, BOOTP, static-only DHCPv6, dnsmasq:options, a log file', () => {
  const out = dnsmasqConfig(extra, { ...dnsmasqPaths('/S', 'vk-extra'), logFile: '/S/log' }, { version: '2.90' });
  assert.deepEqual(out.conf.split('\n').filter((l) => !l.startsWith('#')), [
    'strict-order',
    'server=192.0.2.53',
    'server=/corp.test/192.0.2.54',
    'server=/blocked.test/#',
    'no-resolv',
    'local=/lab.test/',
    'domain=lab.test',
    'expand-hosts',
    'local=/0.77.10.in-addr.arpa/',
    'local=/0.0.0.0.0.0.0.0.7.7.0.0.0.0.d.f.ip6.arpa/',
    'domain-needed',
    'local=//',
    'pid-file=/S/vk-extra.pid',
    'except-interface=lo',
    'bind-dynamic',
    'interface=vkx0',
    'txt-record=example,some text',
    'srv-host=_ldap._tcp.lab.test,ldap.lab.test,389,10,20',
    'srv-host=_x._udp,h,1,5',
    'dhcp-range=10.77.0.100,10.77.0.199,255.255.255.0,1h',
    'dhcp-no-override',
    'dhcp-authoritative',
    'dhcp-boot=pxe.img,,10.77.0.2',
    'dhcp-range=fd00:77::1,static,64',
    'dhcp-lease-max=100',
    'dhcp-hostsfile=/S/vk-extra.hostsfile',
    'dhcp-leasefile=/S/vk-extra.leases',
    'no-ping',
    'addn-hosts=/S/vk-extra.addnhosts',
    'enable-ra',
    'cache-size=500',
    'log-facility=/S/log',
    '',
  ]);
  assert.equal(out.hostsFile, '52:54:00:aa:bb:cc,10.77.0.10,web\nweb,[fd00:77::10]\n');
  assert.equal(out.addnHosts, '10.77.0.5\tdb\tdb2\t\n');
});

test('refusals: a network without its own bridge, no bridge name yet, an old dnsmasq, a PTR zone off an octet boundary', () => {
  const paths = dnsmasqPaths('/S', 'n');
  const code = (xml: string, version: string, want: string): void => {
    assert.throws(() => dnsmasqConfig(parseNetworkXml(xml), paths, { version }), (e: unknown) => e instanceof VirtkitError && e.code === want);
  };
  code("<network><name>n</name><forward mode='bridge'/><bridge name='br0'/></network>", '2.90', 'OPERATION_INVALID');
  code("<network><name>n</name><forward mode='nat'/></network>", '2.90', 'XML_MISSING');
  code("<network><name>n</name><bridge name='b'/></network>", '2.66', 'HOST_UNSUPPORTED');
  code("<network><name>n</name><bridge name='b'/><ip address='10.1.0.1' prefix='20' localPtr='yes'/></network>", '2.90', 'XML_UNSUPPORTED');
  assert.doesNotThrow(() => dnsmasqConfig(parseNetworkXml("<network><name>n</name><bridge name='b'/></network>"), paths, { version: '2.67' }));
});
