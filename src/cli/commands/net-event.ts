import { command } from '../framework.js';
import { eventWord, OBJECT_EVENT_OPTS, watchObjectEvents } from '../object-events.js';

/** virsh net-event: `event 'lifecycle' for network N: Started`; virtkit's dnsmasq restart is its own event. */
export default command({
  name: 'net-event',
  summary: 'Network Events',
  args: [],
  options: {
    network: { type: 'string', arg: 'string', help: 'filter by network name or uuid' },
    ...OBJECT_EVENT_OPTS,
  },
  async run(ctx, _args, o) {
    await watchObjectEvents(ctx, o, 'network', o.network === undefined ? {} : { network: o.network }, {
      names: ['lifecycle', 'dnsmasq-restarted'],
      typeOf: (e) => (e.event === 'dnsmasq-restarted' ? 'dnsmasq-restarted' : 'lifecycle'),
      line: (e) => (e.event === 'dnsmasq-restarted' ? `event 'dnsmasq-restarted' for network ${e.name}` : `event 'lifecycle' for network ${e.name}: ${eventWord(e.event)}`),
    });
  },
});
