/**
 * Step 2: what libvirt fills in when a network is defined. The input is not
 * modified; randomness comes only from ctx.random.
 *
 * - a UUID; a <forward> without mode= becomes mode='nat';
 * - <forward dev='X'> without <interface> gains <interface dev='X'/> (libvirt's);
 * - a network virtkit runs on its own bridge (isolated, nat, route, open) gets
 *   stp='off' delay='0' on its bridge when not given (libvirt: stp='on'; see below; 'on' when
 *   it declares <virtkit:link>s to other networks, which can make loops), and a
 *   bridge MAC (52:54:00:xx:xx:xx) when it has none.
 *
 * STP defaults to off, unlike libvirt: the kernel's STP raises a bridge's forward delay to its
 * 2 s minimum whatever delay= says, so every new port (a guest's tap) listens and learns for 4 s
 * before it forwards, and a guest's first DHCP requests are dropped; that was most of a guest's
 * time to its first lease here (bench/network, docs/networks.md). A bridge virtkit makes holds the
 * guests' taps only, where STP has no loop to break; stp='on' written in the XML is honoured.
 * The bridge name (virbrN) is chosen by the daemon at define time, knowing
 * which names are in use: nextFreeBridgeName.
 */
import { generateMac, generateUuid } from '../domain/defaults/identity.js';
import type { NetworkDef } from './schema.js';
import { forwardMode, managesBridge } from './validate.js';

export interface NetworkPrepareContext {
  /** n random bytes: crypto.randomBytes in production, a fixed stream in tests. */
  random(n: number): Uint8Array;
  /** MAC addresses in use (other networks' bridges): the generated one avoids them. */
  macsInUse?: ReadonlySet<string>;
}

export function prepareNetwork(input: NetworkDef, ctx: NetworkPrepareContext): NetworkDef {
  const def = structuredClone(input);
  def.uuid ??= generateUuid(ctx);
  const f = def.forward;
  if (f) {
    f.mode ??= 'nat';
    if (f.dev !== undefined && (f.interface ?? []).length === 0 && (f.pf ?? []).length === 0) f.interface = [{ dev: f.dev }];
  }
  if (managesBridge(forwardMode(def))) {
    const b = (def.bridge ??= {});
    // Off, unless the network joins others with virtkit links (two links can make a loop).
    b.stp ??= (def.link ?? []).length > 0;
    b.delay ??= 0;
    def.mac ??= { address: generateMac(ctx, ctx.macsInUse ?? new Set()) };
  }
  return def;
}

/**
 * The first name of `template` (with %d, libvirt's 'virbr%d') not in `inUse`,
 * counting from 0. inUse: other networks' bridges and the host's interfaces.
 */
export function nextFreeBridgeName(inUse: Iterable<string>, template = 'virbr%d'): string {
  if (!template.includes('%d')) throw new Error(`bridge name template '${template}' has no %d`);
  const taken = new Set(inUse);
  for (let n = 0; n < 1_000_000; n++) {
    const name = template.replace('%d', String(n));
    if (!taken.has(name)) return name;
  }
  throw new Error(`no free bridge name for '${template}'`);
}
