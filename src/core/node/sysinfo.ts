/**
 * libvirt's host sysinfo XML (virsh sysinfo; virSysinfoFormat) from the SMBIOS strings the
 * kernel exports in /sys/class/dmi/id: `<bios>`, `<system>`, `<baseBoard>` and `<chassis>`
 * entries, in libvirt's order, empty ones left out. libvirt runs dmidecode and also writes
 * `<processor>` and `<memory_device>`, which sysfs does not have. A host without DMI (many
 * VMs and containers) gives `<sysinfo type='smbios'/>`, as libvirt does with no SMBIOS data.
 * Pure: src/host/sysfs/dmi.ts reads the files.
 */
import { escapeXmlAttr, escapeXmlText } from '../xml/tree.js';

/** Each block's entries: libvirt's entry name, then the /sys/class/dmi/id file it comes from. */
const SYSINFO_BLOCKS: readonly (readonly [string, readonly (readonly [string, string])[]])[] = [
  ['bios', [['vendor', 'bios_vendor'], ['version', 'bios_version'], ['date', 'bios_date'], ['release', 'bios_release']]],
  ['system', [
    ['manufacturer', 'sys_vendor'], ['product', 'product_name'], ['version', 'product_version'], ['serial', 'product_serial'],
    ['uuid', 'product_uuid'], ['sku', 'product_sku'], ['family', 'product_family'],
  ]],
  ['baseBoard', [['manufacturer', 'board_vendor'], ['product', 'board_name'], ['version', 'board_version'], ['serial', 'board_serial'], ['asset', 'board_asset_tag']]],
  ['chassis', [['manufacturer', 'chassis_vendor'], ['version', 'chassis_version'], ['serial', 'chassis_serial'], ['asset', 'chassis_asset_tag']]],
];

/** The files of /sys/class/dmi/id the XML uses. */
export const DMI_FILES: readonly string[] = SYSINFO_BLOCKS.flatMap(([, entries]) => entries.map(([, file]) => file));

export function formatSysinfoXml(dmi: Readonly<Record<string, string>>): string {
  const blocks: string[] = [];
  for (const [block, entries] of SYSINFO_BLOCKS) {
    const lines = entries.flatMap(([name, file]) => {
      const v = dmi[file]?.trim() ?? '';
      return v === '' ? [] : [`    <entry name='${escapeXmlAttr(name)}'>${escapeXmlText(v)}</entry>`];
    });
    if (lines.length > 0) blocks.push(`  <${block}>`, ...lines, `  </${block}>`);
  }
  return blocks.length === 0 ? "<sysinfo type='smbios'/>\n" : ["<sysinfo type='smbios'>", ...blocks, '</sysinfo>', ''].join('\n');
}
