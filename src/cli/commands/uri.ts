import { command } from '../framework.js';

export default command({
  name: 'uri',
  summary: 'print the hypervisor canonical URI',
  args: [],
  options: {},
  run(ctx) {
    // Answered locally, as virsh does: the URI names the instance, the daemon need not run.
    const uri = ctx.client().uri;
    if (ctx.json) ctx.printJson({ uri });
    else ctx.print(uri);
    return Promise.resolve();
  },
});
