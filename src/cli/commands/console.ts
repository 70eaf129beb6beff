import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

const ESCAPE = 0x1d; // ^]

export default command({
  name: 'console',
  summary: 'connect to the guest console',
  args: [DOMAIN_ARG],
  options: { force: { type: 'boolean', help: 'force console connection (disconnect already connected sessions)' } },
  async run(ctx, { domain }, o) {
    const client = ctx.client();
    const d = await onDomain(domain, undefined, () => client.getDomain(domain));
    const conn = await onDomain(domain, undefined, () => client.console(domain, { force: o.force }));
    ctx.io.stdout(`Connected to domain '${d.name}'\nEscape character is ^] (Ctrl + ])\n`);
    const stdin = ctx.io.stdin;
    const raw = stdin?.isTTY === true;
    if (raw) stdin.setRawMode(true);
    const onInput = (chunk: Buffer) => {
      const i = chunk.indexOf(ESCAPE);
      if (i >= 0) {
        if (i > 0) conn.write(chunk.subarray(0, i));
        conn.close();
        return;
      }
      conn.write(chunk);
    };
    stdin?.on('data', onInput);
    stdin?.resume();
    conn.onData((data) => ctx.io.stdout(data.toString('latin1')));
    const why = await conn.closed;
    stdin?.off('data', onInput);
    stdin?.pause();
    if (raw) stdin.setRawMode(false);
    ctx.io.stdout('\n');
    if (why !== '' && why !== 'console closed') ctx.io.stderr(`${why}\n`);
  },
});
