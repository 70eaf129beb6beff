import assert from 'node:assert/strict';
import { test } from 'node:test';
import { domifaddrLines } from './domifaddr.js';
import { expiryText } from './net-dhcp-leases.js';

test("domifaddr: virsh's header and columns; an interface's further addresses with '-' unless --full", () => {
  const list = [
    { name: 'vnet0', mac: '52:54:00:aa:bb:01', addrs: [{ type: 'ipv4' as const, addr: '10.0.0.5', prefix: 24 }, { type: 'ipv6' as const, addr: 'fd00::5', prefix: 64 }] },
    { name: 'vnet1', mac: '52:54:00:aa:bb:02', addrs: [] },
  ];
  assert.deepEqual(domifaddrLines(list, false), [
    ' Name       MAC address          Protocol     Address',
    '-------------------------------------------------------------------------------',
    ' vnet0      52:54:00:aa:bb:01    ipv4         10.0.0.5/24',
    ' -          -                    ipv6         fd00::5/64',
  ]);
  assert.equal(domifaddrLines(list, true)[3], ' vnet0      52:54:00:aa:bb:01    ipv6         fd00::5/64');
});

test('net-dhcp-leases: the expiry in local time as virsh prints it; an infinite lease', () => {
  const at = new Date(2026, 0, 2, 3, 4, 5).getTime() / 1000;
  const lease = { network: 'n', bridge: 'b', mac: null, family: 'ipv4' as const, ip: '10.0.0.5', prefix: 24, hostname: null, clientId: null, iaid: null };
  assert.equal(expiryText({ ...lease, expiresAt: at }), '2026-01-02 03:04:05');
  assert.equal(expiryText({ ...lease, expiresAt: null }), 'never');
});
