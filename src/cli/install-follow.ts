/**
 * What `virtkit install` does once the daemon has made and started the domain, as virt-install's
 * _process_domain: the serial console (the console command's own code) unless --noautoconsole,
 * --wait N minutes for the guest to power off (-1: forever; exit status 1 past the limit), and the
 * end of the install phase. The restart into the final definition is the daemon's
 * (src/daemon/install/phases.ts): the CLI only says so, and attaches to the console again.
 */
import type { VirtkitClient } from '../client/client.js';
import type { InstallResult, LifecycleEvent } from '../client/types.js';
import { ExitStatus, type Context } from './framework.js';

/** The domain's events from just after the install on: whether (and how) it stopped, and started again. */
class DomainWatch {
  #stopped: LifecycleEvent | undefined;
  #onStop: Array<() => void> = [];
  #onStart: Array<() => void> = [];

  private constructor(readonly client: VirtkitClient, readonly name: string, readonly firstId: number | null, readonly close: () => void) {}

  static async open(client: VirtkitClient, name: string): Promise<DomainWatch> {
    const stream = await client.events({ domain: name });
    const d = await client.getDomain(name);
    const w = new DomainWatch(client, name, d.id, () => stream.close());
    stream.on('event', (e) => {
      if (e.event === 'stopped' && w.#stopped === undefined) {
        w.#stopped = e;
        for (const f of w.#onStop.splice(0)) f();
      } else if (e.event === 'started' && w.#stopped !== undefined) {
        for (const f of w.#onStart.splice(0)) f();
      }
    });
    return w;
  }

  /** How the first run ended (`shutdown`, `destroyed`...), once it has. */
  get stopDetail(): string | undefined {
    return this.#stopped?.detail;
  }

  /** The run the install started is over (its guest stopped, or it already runs again under another id). */
  async inactive(): Promise<boolean> {
    if (this.#stopped !== undefined) return true;
    const d = await this.client.getDomain(this.name).catch(() => undefined);
    return d === undefined || d.state === 'shutoff' || d.id !== this.firstId;
  }

  /** Resolves true once the first run stopped, false when `minutes` (>= 0) passed first. */
  stoppedWithin(minutes: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.#stopped !== undefined) return resolve(true);
      const timer = minutes < 0 ? undefined : setTimeout(() => resolve(false), minutes * 60_000);
      this.#onStop.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      // The stop may have happened between the events subscription and now.
      void this.inactive().then((gone) => {
        if (gone) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
  }

  /** Resolves once the daemon has started the domain again after the first run. */
  restarted(): Promise<void> {
    return new Promise((resolve) => {
      this.#onStart.push(resolve);
      void this.client.getDomain(this.name).then((d) => {
        if (d.state !== 'shutoff' && d.id !== this.firstId) resolve();
      }, () => undefined);
    });
  }
}

async function attachConsole(ctx: Context, name: string): Promise<void> {
  const cmd = (await import('./commands/console.js')).default;
  await cmd.run(ctx, { domain: name } as never, { force: false } as never);
}

const waitText = (m: number): string => (m < 0 ? 'Waiting for the installation to complete.'
  : `Waiting ${m} minute${m === 1 ? '' : 's'} for the installation to complete.`);

export async function followInstall(ctx: Context, res: InstallResult): Promise<void> {
  const { plan, made } = res;
  if (made === null) return;
  const say = (s: string): void => {
    if (!ctx.json) ctx.print(s);
  };
  for (const w of plan.warnings) ctx.io.stderr(`WARNING  ${w}\n`);
  const password = plan.cloudInit?.generatedRootPassword;
  if (password !== undefined && password !== null) say(`Password for first root login is: ${password}`);
  for (const v of made.volumes) say(`Allocated '${v.name}' in pool '${v.pool}'`);
  const name = made.domain;
  if (made.running === null) {
    say('Domain creation completed.');
    say(`You can start your domain by running:\n  virtkit start ${name}`);
  } else {
    await afterStart(ctx, res, say);
  }
  if (ctx.json) ctx.printJson(res);
}

async function afterStart(ctx: Context, res: InstallResult, say: (s: string) => void): Promise<void> {
  const { plan, made } = res;
  if (made === null) return;
  const name = made.domain;
  const installPhase = made.running === 'install';
  const console = plan.autoconsole === 'text' && !ctx.json;
  let wait = plan.waitMinutes;
  if (wait === null && plan.autoconsole === 'graphical') {
    ctx.io.stderr('WARNING  No console to launch for the guest, defaulting to --wait -1\n');
    wait = -1;
  }
  const watch = await DomainWatch.open(ctx.client(), name);
  try {
    if (console) {
      const session = attachConsole(ctx, name);
      // With --wait the console runs beside the count-down (virt-install does not wait for it then).
      if (wait === null) await session;
      else void session.catch(() => undefined);
    }
    if (!(await watch.inactive())) {
      if (wait === null) {
        if (!installPhase) {
          say('Domain creation completed.');
          return;
        }
        say('\nDomain is still running. Installation may be in progress.\n' +
          'You can reconnect to the console to complete the installation process;\n' +
          'virtkitd starts the final definition when the install phase ends.');
        return;
      }
      say('\nDomain is still running. Installation may be in progress.');
      say(waitText(wait));
      if (!(await watch.stoppedWithin(wait))) {
        say('Installation has exceeded specified time limit. Exiting application.');
        throw new ExitStatus(1);
      }
      say('Domain has shutdown. Continuing.');
    }
    say('Domain creation completed.');
    if (plan.transient) return;
    if (!installPhase || plan.noreboot) {
      say(`You can restart your domain by running:\n  virtkit start ${name}`);
    } else if (watch.stopDetail === 'destroyed' || watch.stopDetail === 'saved') {
      say('User stopped the VM. Not rebooting.');
    } else {
      say('Restarting guest.');
      await watch.restarted();
      if (console) await attachConsole(ctx, name);
    }
  } finally {
    watch.close();
  }
}
