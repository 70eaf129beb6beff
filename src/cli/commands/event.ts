import type { LifecycleEvent, ObjectEvent } from '../../client/types.js';
import { command, usageError } from '../framework.js';
import { onDomain } from '../domain.js';
import { eventWord, watchObjectEvents } from '../object-events.js';

/** As virsh event prints a lifecycle event. */
export function eventLine(e: LifecycleEvent): string {
  return `event 'lifecycle' for domain '${e.domain}': ${eventWord(e.event)} ${eventWord(e.detail)}`;
}

export default command({
  name: 'event',
  summary: 'Domain Events',
  args: [],
  options: {
    domain: { type: 'string', arg: 'string', help: 'filter by domain name, id or uuid' },
    event: { type: 'string', arg: 'string', help: 'which event type to wait for (lifecycle or block-job)' },
    all: { type: 'boolean', help: 'wait for all events instead of just one type' },
    loop: { type: 'boolean', help: 'loop until timeout or interrupt, rather than one-shot' },
    timeout: { type: 'string', arg: 'number', help: 'timeout seconds' },
    timestamp: { type: 'boolean', help: 'show timestamp for each printed event' },
  },
  async run(ctx, _args, o) {
    if (o.event === 'block-job') {
      // The ends of block jobs (libvirt's BLOCK_JOB_2): `event 'block-job' for domain 'D': vda completed`.
      const types = { names: ['block-job'], typeOf: () => 'block-job', line: (e: ObjectEvent) => `event 'block-job' for domain '${e.domain ?? ''}': ${e.name} ${e.event}` };
      return watchObjectEvents(ctx, { ...o, event: 'block-job', list: false }, 'block-job', o.domain === undefined ? {} : { domain: o.domain }, types);
    }
    if (o.event !== undefined && o.event !== 'lifecycle') throw usageError(`unknown event type ${o.event}`);
    const timeout = o.timeout === undefined ? undefined : Number(o.timeout);
    if (timeout !== undefined && !(timeout > 0)) throw usageError(`invalid timeout '${o.timeout}'`);
    const domain = o.domain;
    const stream = await onDomain(domain ?? '', undefined, () => ctx.client().events(domain === undefined ? {} : { domain }));
    let count = 0;
    const done = new Promise<string>((resolve) => {
      stream.on('event', (e) => {
        count++;
        if (ctx.json) ctx.printJson(e);
        else ctx.print(`${o.timestamp ? `${e.timestamp}: ` : ''}${eventLine(e)}`);
        if (!o.loop) resolve('');
      });
      if (timeout !== undefined) setTimeout(() => resolve('event loop timed out'), timeout * 1000).unref();
      void stream.closed.then((why) => resolve(why === '' ? 'the daemon closed the event stream' : why));
      process.once('SIGINT', () => resolve(''));
    });
    const why = await done;
    stream.close();
    if (!ctx.json) {
      if (why !== '') ctx.print(why);
      ctx.print(`events received: ${count}`);
    }
  },
});
