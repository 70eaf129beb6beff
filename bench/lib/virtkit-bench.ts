/**
 * virtkit's columns: one rooted instance, measured over the API (src/client)
 * and over the CLI (bin/virtkit as a child process, the whole command timed).
 * The guest's marker is read through the daemon's console WebSocket in both
 * columns (`virtkit console` is interactive): for the CLI column the console
 * is opened by the client right after `virtkit start` exits.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestGuest } from '../../tests/helpers/guest.js';
import { virtkitXml } from './guest.js';
import { now, rssKiB } from './proc.js';
import { within } from './qmp.js';
import { repeat, type Samples } from './stats.js';
import { VirtkitInstance } from './virtkit-instance.js';

export interface Plan {
  reps: number;
  /** Repetitions of the cheap queries (list, dumpxml) over the API. */
  queryReps: number;
  /** Repetitions of CLI processes for the queries. */
  cliReps: number;
  listSizes: number[];
  concurrent: number;
  readyReps: number;
}

/**
 * `bare` is called once per API repetition, just before virtkit's boot: the
 * baseline and virtkit alternate, so a load change on this shared host hits both.
 */
export async function benchVirtkit(
  g: TestGuest, plan: Plan, api: Samples, cli: Samples, bare: () => Promise<void>, log: (m: string) => void,
): Promise<void> {
  const vk = await VirtkitInstance.create();
  try {
    await import('ws'); // the console's WebSocket library, loaded once, outside the timings
    const rss = (): number => (rssKiB(vk.pid) ?? NaN) / 1024;
    const ready = async (key: string): Promise<void> => {
      const r = await vk.startDaemon();
      api.add(`${key}Socket`, r.socketMs);
      api.add(key, r.listMs);
      api.add(`rss${key}`, rss());
      await vk.client.host(); // loads the QEMU driver (capabilities)
      api.add(`${key}Host`, now() - r.t0);
      api.add(`rss${key}Host`, rss());
    };
    await ready('readyEmpty');
    const c = vk.client;

    const sizes = [...plan.listSizes].sort((a, b) => a - b);
    let defined = 0;
    const fillTo = async (n: number): Promise<void> => {
      for (; defined < n; defined++) await c.defineDomain(virtkitXml(g, `fill-${String(defined).padStart(4, '0')}`));
    };
    const listAt = async (n: number): Promise<void> => {
      await fillTo(n);
      if ((await c.listDomains()).length !== n) throw new Error(`virtkit lists ${(await c.listDomains()).length} domains, expected ${n}`);
      await repeat(api, `list${n}`, plan.queryReps, async () => { await c.listDomains(); });
      await repeat(cli, `list${n}`, plan.cliReps, async () => (await vk.cli(['list', '--all'])).ms);
    };
    // The smallest list first, while only its domains exist.
    const first = sizes.shift();
    if (first !== undefined) await listAt(first);

    // define / start / marker / destroy, API
    await repeat(api, 'define', plan.reps, async (i) => { await c.defineDomain(virtkitXml(g, `api-def-${i}`)); });
    defined += plan.reps;
    await c.defineDomain(virtkitXml(g, 'api-guest'));
    defined++;
    // A first boot on a fresh daemon loads the driver (capabilities, WebSocket code): its own row.
    let t0 = now();
    await c.action('api-guest', 'start', {});
    api.add('startFirst', now() - t0);
    await vk.marker('api-guest');
    await c.action('api-guest', 'destroy', {});
    for (let i = 0; i < plan.reps; i++) {
      await bare();
      t0 = now();
      await c.action('api-guest', 'start', {});
      api.add('start', now() - t0);
      api.add('marker', (await vk.marker('api-guest')) - t0);
      const td = now();
      await c.action('api-guest', 'destroy', {});
      api.add('destroy', now() - td);
      log(`virtkit API ${i + 1}/${plan.reps}: medians so far: start ${api.get('start')?.median.toFixed(1)} ms, ` +
        `marker ${api.get('marker')?.median.toFixed(0)} ms`);
    }
    await repeat(api, 'dumpxml', plan.queryReps, async () => { await c.domainXml('api-guest'); });

    // the same, CLI
    const xmlDir = vk.root;
    await repeat(cli, 'define', plan.reps, async (i) => {
      const file = join(xmlDir, `cli-def-${i}.xml`);
      await writeFile(file, virtkitXml(g, `cli-def-${i}`));
      return (await vk.cli(['define', file])).ms;
    });
    defined += plan.reps;
    await c.defineDomain(virtkitXml(g, 'cli-guest'));
    defined++;
    for (let i = 0; i < plan.reps; i++) {
      t0 = now();
      cli.add('start', (await vk.cli(['start', 'cli-guest'])).ms);
      cli.add('marker', (await vk.marker('cli-guest')) - t0);
      cli.add('destroy', (await vk.cli(['destroy', 'cli-guest'])).ms);
      log(`virtkit CLI ${i + 1}/${plan.reps}`);
    }
    await repeat(cli, 'dumpxml', plan.cliReps, async () => (await vk.cli(['dumpxml', 'api-guest'])).ms);
    api.add('rssIdle', rss());

    // N concurrent starts until every guest printed its marker
    const names = Array.from({ length: plan.concurrent }, (_, i) => `conc-${i}`);
    for (const n of names) await c.defineDomain(virtkitXml(g, n));
    defined += names.length;
    t0 = now();
    const starts = await within(Promise.all(names.map(async (n) => {
      await c.action(n, 'start', {});
      const returned = now() - t0;
      await vk.marker(n, 120_000);
      return returned;
    })), 180_000, `${names.length} concurrent virtkit starts`);
    api.add('concurrentAll', now() - t0);
    api.add('concurrentStartMax', Math.max(...starts));
    api.add('rssRunning', rss());
    log(`virtkit: ${names.length} concurrent guests up in ${(now() - t0).toFixed(0)} ms`);
    await vk.destroyAll();

    // list with more domains
    for (const n of sizes) await listAt(n);
    api.add('rssIdleFull', rss());

    // daemon start-up with all of them defined
    for (let i = 0; i < plan.readyReps; i++) {
      await vk.stopDaemon();
      await ready('readyFull');
    }
    api.add('domainsAtReady', defined);
  } finally {
    await vk.dispose();
  }
}
