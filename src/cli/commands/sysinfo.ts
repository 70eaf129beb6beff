/** virsh sysinfo: libvirt's host sysinfo XML, from the SMBIOS strings of the daemon's host. */
import { command } from '../framework.js';

export default command({
  name: 'sysinfo',
  summary: 'print the hypervisor sysinfo',
  args: [],
  options: {},
  async run(ctx) {
    const xml = await ctx.client().sysinfo();
    if (ctx.json) return ctx.printJson({ xml });
    ctx.io.stdout(xml.endsWith('\n') ? xml : `${xml}\n`);
  },
});
