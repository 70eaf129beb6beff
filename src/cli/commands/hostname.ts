import { command } from '../framework.js';

export default command({
  name: 'hostname',
  summary: 'print the hypervisor hostname',
  args: [],
  options: {},
  async run(ctx) {
    const { hostname } = await ctx.client().host();
    if (ctx.json) return ctx.printJson({ hostname });
    ctx.print(hostname);
  },
});
