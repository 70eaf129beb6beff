import { command } from '../framework.js';
import { table } from '../format.js';

export default command({
  name: 'secret-list',
  summary: 'list secrets',
  args: [],
  options: {
    ephemeral: { type: 'boolean', help: 'list ephemeral secrets' },
    'no-ephemeral': { type: 'boolean', help: 'list non-ephemeral secrets' },
    private: { type: 'boolean', help: 'list private secrets' },
    'no-private': { type: 'boolean', help: 'list non-private secrets' },
  },
  async run(ctx, _args, o) {
    const secrets = await ctx.client().listSecrets({
      ...(o.ephemeral !== o['no-ephemeral'] ? { ephemeral: o.ephemeral } : {}),
      ...(o.private !== o['no-private'] ? { private: o.private } : {}),
    });
    if (ctx.json) return ctx.printJson(secrets);
    // virsh: "TYPE ID" for a secret with a usage, "Unused" for one without.
    ctx.print(table(['UUID', 'Usage'], secrets.map((s) => [s.uuid, s.usage === null ? 'Unused' : `${s.usage.type} ${s.usage.id}`])));
  },
});
