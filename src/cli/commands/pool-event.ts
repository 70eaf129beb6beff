import { command } from '../framework.js';
import { eventWord, OBJECT_EVENT_OPTS, watchObjectEvents } from '../object-events.js';

/** virsh pool-event: `event 'lifecycle' for storage pool P: Started`, `event 'refresh' for storage pool P`. */
export default command({
  name: 'pool-event',
  summary: 'Storage Pool Events',
  args: [],
  options: {
    pool: { type: 'string', arg: 'string', help: 'filter by storage pool name or uuid' },
    ...OBJECT_EVENT_OPTS,
  },
  async run(ctx, _args, o) {
    await watchObjectEvents(ctx, o, 'pool', o.pool === undefined ? {} : { pool: o.pool }, {
      names: ['lifecycle', 'refresh'],
      typeOf: (e) => (e.event === 'refresh' ? 'refresh' : 'lifecycle'),
      line: (e) => (e.event === 'refresh' ? `event 'refresh' for storage pool ${e.name}` : `event 'lifecycle' for storage pool ${e.name}: ${eventWord(e.event)}`),
    });
  },
});
