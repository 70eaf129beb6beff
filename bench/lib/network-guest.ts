/**
 * The network bench's guests: the networked test guest (DHCP on every NIC, a console shell), its
 * console watched from the moment `start` returns with the arrival time of each line the bench
 * waits for (the ready marker, `eth0 got IP/N`), and a GuestShell over that console (virtkit's
 * console WebSocket, or the unix socket of libvirt's serial port: anything that is a ConsoleConnection).
 */
import { Duplex } from 'node:stream';
import type { ConsoleConnection } from '../../src/client/websocket.js';
import { guestDomainXml, guestNetAppend } from '../../tests/helpers/guest.js';
import { GuestShell } from '../../tests/helpers/guest-shell.js';
import { now } from './proc.js';
import { within } from './qmp.js';

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

/**
 * The same guest for libvirt: its serial port a unix socket QEMU listens on (`virsh console` is
 * interactive; bench/lifecycle reads libvirt's guests the same way), no separate `<console>` (libvirt
 * makes the console an alias of that serial port). Throws if the test guest's XML no longer has the
 * pty pair this replaces, rather than booting a guest without a readable console.
 */
export async function libvirtNetGuestXml(name: string, network: string, mac: string, serialSocket: string): Promise<string> {
  const xml = await netGuestXml(name, network, mac);
  const pty = /<serial type='pty'\/>\s*<console type='pty'\/>/;
  if (!pty.test(xml)) throw new Error(`the test guest's domain XML has no <serial type='pty'/><console type='pty'/> to replace:\n${xml}`);
  return xml.replace(pty, `<serial type='unix'><source mode='bind' path='${serialSocket}'/></serial>`);
}
