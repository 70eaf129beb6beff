// VNC autoport on real TCG guests: each domain with <graphics type='vnc'/> (no port, or port -1) gets the lowest
// free port from 5900 on the listen address (127.0.0.1 by default), QEMU serves RFB there, the live XML shows it,
// two domains never share one, and a port is handed out again once its QEMU is gone.
import assert from 'node:assert/strict';
import { createConnection, createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { guestDomainXml as guestXml } from '../helpers/guest.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';

/** The first bytes a VNC server sends: its protocol version ("RFB 003.008\n"). */
function rfbBanner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.setTimeout(10_000, () => s.destroy(new Error(`no RFB banner on ${port}`)));
    s.once('data', (d) => { s.destroy(); resolve(d.toString('latin1')); });
    s.once('error', reject);
  });
}

const portOf = (xml: string): number => Number(/<graphics type='vnc' port='(\d+)' autoport='yes'/.exec(xml)?.[1]);

test('VNC autoport: a free port each, RFB served there, shown in the live XML, reused after the domain stops', { timeout: 120_000 }, async () => {
  const h = await createHarness();
  // Someone else holds the lowest free port from 5900 on 127.0.0.1: it is skipped.
  const squatter: Server = createServer();
  let squat = 5900;
  while (!(await new Promise<boolean>((r) => { squatter.once('error', () => r(false)); squatter.listen({ port: squat, host: '127.0.0.1' }, () => r(true)); }))) squat++;
  try {
    const vnc = "<graphics type='vnc'/>";
    for (const n of ['vnc1', 'vnc2']) {
      await h.engine.dispatch({ kind: 'define', xml: (await guestXml(n)).replace('<devices>', `<devices>\n    ${vnc}`) });
      await h.engine.dispatch({ kind: 'start', name: n, paused: false });
      await h.remember(n);
    }
    const live = async (n: string): Promise<string> => (await h.engine.dispatch({ kind: 'dumpxml', name: n, inactive: false })) as string;
    const [p1, p2] = [portOf(await live('vnc1')), portOf(await live('vnc2'))];
    assert.ok(p1 >= 5900 && p2 >= 5900 && p1 !== p2, `two ports from 5900: ${p1}, ${p2}`);
    assert.ok(p1 !== squat && p2 !== squat, `the port held by another program (${squat}) is skipped`);
    assert.match(await rfbBanner(p1), /^RFB 003\.00\d\n/);
    assert.match(await rfbBanner(p2), /^RFB 003\.00\d\n/);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'vnc1', inactive: true }) as string, /<graphics type='vnc'\/>/, 'the definition is left as written (no port)');
    await h.engine.dispatch({ kind: 'destroy', name: 'vnc1' });
    await h.engine.dispatch({ kind: 'start', name: 'vnc1', paused: false });
    const again = portOf(await live('vnc1'));
    assert.ok(again === p1 || again < p2, `the freed port is handed out again (${p1} -> ${again})`);
    assert.match(await rfbBanner(again), /^RFB/);
  } finally {
    squatter.close();
    await h.close();
  }
  await assertNoLeftovers(h);
});
