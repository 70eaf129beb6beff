import { command } from '../framework.js';
import { eventWord, OBJECT_EVENT_OPTS, watchObjectEvents } from '../object-events.js';

/** virsh secret-event: `event 'lifecycle' for secret UUID: Defined`, `event 'value-changed' for secret UUID`. */
export default command({
  name: 'secret-event',
  summary: 'Secret Events',
  args: [],
  options: {
    secret: { type: 'string', arg: 'string', help: 'filter by secret name or uuid' },
    ...OBJECT_EVENT_OPTS,
  },
  async run(ctx, _args, o) {
    await watchObjectEvents(ctx, o, 'secret', o.secret === undefined ? {} : { secret: o.secret }, {
      names: ['lifecycle', 'value-changed'],
      typeOf: (e) => (e.event === 'value-changed' ? 'value-changed' : 'lifecycle'),
      line: (e) => (e.event === 'value-changed' ? `event 'value-changed' for secret ${e.uuid}` : `event 'lifecycle' for secret ${e.uuid}: ${eventWord(e.event)}`),
    });
  },
});
