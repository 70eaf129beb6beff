import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { attachDiskXml, DISK_IMPACT_OPTIONS, diskImpactOf } from '../disks.js';

const str = (help: string) => ({ type: 'string', help, arg: 'string' }) as const;

export default command({
  name: 'attach-disk',
  summary: 'attach disk device',
  args: [
    DOMAIN_ARG,
    { name: 'source', help: 'source of disk device or name of network disk', required: true },
    { name: 'target', help: 'target of disk device', required: true },
  ],
  options: {
    targetbus: str('target bus of disk device'),
    driver: str('driver of disk device'),
    subdriver: str('subdriver of disk device'),
    cache: str('cache mode of disk device'),
    io: str('io policy of disk device'),
    type: str('target device type'),
    mode: str('mode of device reading and writing'),
    sourcetype: str('type of source (block|file)'),
    serial: str('serial of disk device'),
    'print-xml': { type: 'boolean', help: 'print XML document rather than attach the disk' },
    ...DISK_IMPACT_OPTIONS,
  },
  async run(ctx, { domain, source, target }, o) {
    const impact = diskImpactOf(o);
    const xml = attachDiskXml({
      source, target, targetbus: o.targetbus, driver: o.driver, subdriver: o.subdriver, cache: o.cache, io: o.io,
      type: o.type, mode: o.mode, sourcetype: o.sourcetype, serial: o.serial,
    });
    if (o['print-xml']) return ctx.print(xml.trimEnd());
    const d = await onDomain(domain, 'Failed to attach disk', () => ctx.client().attachDevice(domain, xml, impact));
    if (ctx.json) return ctx.printJson(d);
    ctx.print('Disk attached successfully');
  },
});
