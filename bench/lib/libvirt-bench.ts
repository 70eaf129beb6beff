/**
 * libvirt's column: the same operations as virtkit's CLI column, through
 * `virsh -c URI` against a private libvirtd (libvirt-instance.ts), each virsh
 * a process timed whole. The guest's marker comes from a
 * `<serial type='unix'>` socket the bench reads (virsh console is
 * interactive). Skipped, with the reason, when libvirt's daemons are absent.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestGuest } from '../../tests/helpers/guest.js';
import { libvirtXml } from './guest.js';
import { LibvirtInstance, type LibvirtBins } from './libvirt-instance.js';
import { now } from './proc.js';
import { within } from './qmp.js';
import { repeat, type Samples } from './stats.js';
import type { Plan } from './virtkit-bench.js';

/** An executable `name` in `extra`, PATH or the sbin directories. */
export function which(name: string, extra: readonly string[]): string | undefined {
  const dirs = [...extra, ...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const d of dirs) {
    if (d === '') continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * libvirtd, virtlogd and virsh, or why the column is skipped.
 * VIRTKIT_LIBVIRT_SBIN names a directory searched first (e.g. a
 * `dpkg-deb -x` of Debian's libvirt-daemon package).
 */
export function findLibvirt(): LibvirtBins | { skipped: string } {
  const extra = process.env['VIRTKIT_LIBVIRT_SBIN'] ? [process.env['VIRTKIT_LIBVIRT_SBIN']] : [];
  const libvirtd = which('libvirtd', extra);
  const virtlogd = which('virtlogd', extra);
  const virsh = which('virsh', extra);
  const missing = [['libvirtd', libvirtd], ['virtlogd', virtlogd], ['virsh', virsh]].filter(([, p]) => p === undefined).map(([n]) => n);
  if (missing.length > 0) return { skipped: `libvirt not installed (no ${missing.join(', ')})` };
  if (process.getuid?.() !== 0) return { skipped: 'libvirt needs root here (a private mount namespace for its daemons)' };
  if (which('unshare', []) === undefined) return { skipped: 'no unshare(1) for a private mount namespace' };
  if (!existsSync('/etc/libvirt')) return { skipped: 'no /etc/libvirt to mount the private configuration on' };
  let version = '';
  try {
    version = execFileSync(libvirtd as string, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    version = 'libvirtd';
  }
  return { libvirtd: libvirtd as string, virtlogd: virtlogd as string, virsh: virsh as string, describe: `${version} (${libvirtd})` };
}

export async function benchLibvirt(g: TestGuest, plan: Plan, bins: LibvirtBins, out: Samples, log: (m: string) => void): Promise<void> {
  const lv = await LibvirtInstance.create(bins);
  try {
    out.add('readyEmpty', await lv.startDaemon());
    out.add('rssreadyEmpty', lv.rssMiB());
    const xmlFile = async (name: string): Promise<string> => {
      const f = join(lv.dir, 'xml', `${name}.xml`);
      await writeFile(f, libvirtXml(g, name, lv.serialSocket(name)));
      return f;
    };
    // The first define makes libvirtd probe QEMU's capabilities (seconds): not part of any row.
    await lv.virsh(['define', await xmlFile('warm-up')]);
    await lv.virsh(['undefine', 'warm-up']);

    const sizes = [...plan.listSizes].sort((a, b) => a - b);
    let defined = 0;
    const fillTo = async (n: number): Promise<void> => {
      const cmds: string[] = [];
      for (; defined < n; defined++) cmds.push(`define ${await xmlFile(`fill-${String(defined).padStart(4, '0')}`)}`);
      // One virsh for the whole batch: the fill is set-up, not a measurement.
      if (cmds.length > 0) await lv.virsh([cmds.join(' ; ')]);
    };
    const listAt = async (n: number): Promise<void> => {
      await fillTo(n);
      const names = (await lv.virsh(['list', '--all', '--name'])).stdout.split('\n').filter((l) => l.trim() !== '');
      if (names.length !== n) throw new Error(`libvirt lists ${names.length} domains, expected ${n}`);
      await repeat(out, `list${n}`, plan.cliReps, async () => (await lv.virsh(['list', '--all'])).ms);
    };
    const first = sizes.shift();
    if (first !== undefined) await listAt(first);

    await repeat(out, 'define', plan.reps, async (i) => (await lv.virsh(['define', await xmlFile(`def-${i}`)])).ms);
    defined += plan.reps;
    await lv.virsh(['define', await xmlFile('guest')]);
    defined++;
    let t0 = now();
    out.add('startFirst', (await lv.virsh(['start', 'guest'])).ms);
    await lv.marker('guest');
    await lv.virsh(['destroy', 'guest']);
    for (let i = 0; i < plan.reps; i++) {
      t0 = now();
      out.add('start', (await lv.virsh(['start', 'guest'])).ms);
      out.add('marker', (await lv.marker('guest')) - t0);
      out.add('destroy', (await lv.virsh(['destroy', 'guest'])).ms);
      log(`libvirt ${i + 1}/${plan.reps}: start ${out.get('start')?.median.toFixed(1)} ms (median so far)`);
    }
    await repeat(out, 'dumpxml', plan.cliReps, async () => (await lv.virsh(['dumpxml', 'guest'])).ms);
    out.add('rssIdle', lv.rssMiB());

    const names = Array.from({ length: plan.concurrent }, (_, i) => `conc-${i}`);
    for (const n of names) await lv.virsh(['define', await xmlFile(n)]);
    defined += names.length;
    t0 = now();
    const starts = await within(Promise.all(names.map(async (n) => {
      await lv.virsh(['start', n]);
      const returned = now() - t0;
      await lv.marker(n, 120_000);
      return returned;
    })), 180_000, `${names.length} concurrent libvirt starts`);
    out.add('concurrentAll', now() - t0);
    out.add('concurrentStartMax', Math.max(...starts));
    out.add('rssRunning', lv.rssMiB());
    log(`libvirt: ${names.length} concurrent guests up in ${(now() - t0).toFixed(0)} ms`);
    await lv.destroyAll();

    for (const n of sizes) await listAt(n);
    for (let i = 0; i < plan.readyReps; i++) {
      await lv.stopDaemon();
      out.add('readyFull', await lv.startDaemon());
      out.add('rssreadyFull', lv.rssMiB());
    }
    out.add('domainsAtReady', defined);
  } finally {
    await lv.dispose();
  }
}
