import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSysinfoXml } from './sysinfo.js';

test("sysinfo: libvirt's blocks and entry order, empty strings left out, text escaped", () => {
  assert.equal(formatSysinfoXml({
    bios_vendor: 'SeaBIOS\n', bios_version: '1.16.0-debian', bios_date: '04/01/2014', bios_release: '0.0',
    sys_vendor: 'QEMU', product_name: 'Standard PC (i440FX + PIIX, 1996)', product_version: 'pc-i440fx-7.2',
    product_serial: ' ', product_uuid: 'c7a5fdbd-cdaf-9455-926a-d65c16db1809', product_family: 'A & B',
    chassis_vendor: 'QEMU', chassis_version: 'pc-i440fx-7.2',
  }), `<sysinfo type='smbios'>
  <bios>
    <entry name='vendor'>SeaBIOS</entry>
    <entry name='version'>1.16.0-debian</entry>
    <entry name='date'>04/01/2014</entry>
    <entry name='release'>0.0</entry>
  </bios>
  <system>
    <entry name='manufacturer'>QEMU</entry>
    <entry name='product'>Standard PC (i440FX + PIIX, 1996)</entry>
    <entry name='version'>pc-i440fx-7.2</entry>
    <entry name='uuid'>c7a5fdbd-cdaf-9455-926a-d65c16db1809</entry>
    <entry name='family'>A &amp; B</entry>
  </system>
  <chassis>
    <entry name='manufacturer'>QEMU</entry>
    <entry name='version'>pc-i440fx-7.2</entry>
  </chassis>
</sysinfo>
`);
});

test('sysinfo: a host without DMI strings', () => {
  assert.equal(formatSysinfoXml({}), "<sysinfo type='smbios'/>\n");
});
