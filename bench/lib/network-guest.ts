/**
 * The network bench's guests: the networked test guest (DHCP on every NIC, a console shell), its
 * console watched from the moment `start` returns with the arrival time of each line the bench
 * waits for (the ready marker, `eth0 got IP/N`), and a GuestShell over the console WebSocket.
 */
import { Duplex } from 'node:stream';
import type { ConsoleConnection } from '../../src/client/websocket.js';
import { GUEST_READY_MARKER, guestDomainXml, guestNetAppend } from '../../tests/helpers/guest.js';
import { GuestShell } from '../../tests/helpers/guest-shell.js';
import { now } from './proc.js';
import { within } from './qmp.js';
import type { VirtkitInstance } from './virtkit-instance.js';

export const networkIfaceXml = (network: string, mac: string): string =>
  `<interface type='network'><source network='${network}'/><mac address='${mac}'/><model type='virtio'/></interface>`;

export const detachIfaceXml = (mac: string): string => `<interface type='network'><mac address='${mac}'/></interface>`;

/** A guest on `network` with one NIC (`mac`), a console shell and DHCP; `hostname` = its name. */
export function netGuestXml(name: string, network: string, mac: string): Promise<string> {
  return guestDomainXml(name, { append: guestNetAppend(name), devices: `    ${networkIfaceXml(network, mac)}\n` });
}

/** A console whose text is kept, with the arrival time (performance.now()) of what is waited for. */
export class WatchedConsole {
  #text = '';
  #waiters: { test: (t: string) => boolean; resolve: (at: number) => void }[] = [];
  readonly shell: GuestShell;

  constructor(readonly con: ConsoleConnection) {
    const stream = new Duplex({ read() { /* pushed below */ }, write(chunk: Buffer, _enc, cb) { con.write(chunk); cb(); } });
    con.onData((d) => {
      this.#text += d.toString('utf8');
      const at = now();
      this.#waiters = this.#waiters.filter((w) => (w.test(this.#text) ? (w.resolve(at), false) : true));
      stream.push(d);
    });
    this.shell = new GuestShell(stream);
  }

  get text(): string {
    return this.#text;
  }

  /** Resolves with the time the console first held `what` (at once if it already does: then now()). */
  when(what: string | RegExp, timeoutMs = 120_000): Promise<number> {
    const test = (t: string): boolean => (typeof what === 'string' ? t.includes(what) : what.test(t));
    if (test(this.#text)) return Promise.resolve(now());
    const p = new Promise<number>((resolve) => this.#waiters.push({ test, resolve }));
    return within(p, timeoutMs, `${String(what)} on the console (got: ${JSON.stringify(this.#text.slice(-300))})`);
  }

  close(): void {
    this.con.close();
  }
}

/** Defines and starts `name`; returns the start request's time, its console and the marker's arrival. */
export async function bootNetGuest(vk: VirtkitInstance, name: string, network: string, mac: string): Promise<{ t0: number; console: WatchedConsole; marker: number }> {
  await vk.client.defineDomain(await netGuestXml(name, network, mac));
  const t0 = now();
  await vk.client.action(name, 'start', {});
  const console = new WatchedConsole(await vk.client.console(name));
  const marker = await console.when(GUEST_READY_MARKER);
  return { t0, console, marker };
}
