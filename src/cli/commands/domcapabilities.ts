/** virsh domcapabilities: libvirt's domainCapabilities XML for an emulator, arch, machine and virt type. */
import { command, onFailure } from '../framework.js';

export default command({
  name: 'domcapabilities',
  summary: 'domain capabilities',
  args: [],
  options: {
    virttype: { type: 'string', help: 'virtualization type (qemu, kvm)', arg: 'string' },
    emulatorbin: { type: 'string', help: 'path to emulator binary', arg: 'string' },
    arch: { type: 'string', help: 'domain architecture', arg: 'string' },
    machine: { type: 'string', help: 'machine type', arg: 'string' },
  },
  async run(ctx, _args, o) {
    const xml = await onFailure('failed to get emulator capabilities',
      () => ctx.client().domainCapabilities({ emulator: o.emulatorbin, arch: o.arch, machine: o.machine, virttype: o.virttype }));
    if (ctx.json) return ctx.printJson({ xml });
    ctx.io.stdout(xml.endsWith('\n') ? xml : `${xml}\n`);
  },
});
