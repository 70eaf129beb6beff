/**
 * Character devices: the <console>/<serial> compatibility rule, serial and
 * parallel target defaults, and virtio-serial port numbers.
 *
 * Console compat (virDomainDefAddConsoleCompat): on HVM the first console
 * with target type serial (or none) is an alias of serial port 0. Without a
 * <serial>, one is created from the console; the console becomes a stub
 * whose source mirrors serials[0] and whose alias will equal the serial's.
 *
 * Virtio-serial ports (virDomainVirtioSerialAddr*): each controller has
 * `ports` ports (31 by default); port 0 is only given to virtio consoles;
 * explicit ports are reserved first, then consoles, then channels take the
 * lowest free port on the lowest-index controller with room.
 */
import type { Chr, DomainDef } from './types.js';
import { devicePath, devicesOf, fail } from './types.js';

const ISA_SERIAL_PORTS = 4;

function mirror(src: Chr, target: Chr['target']): Chr {
  const c: Chr = {};
  if (src.type !== undefined) c.type = src.type;
  if (src.source) c.source = structuredClone(src.source);
  if (src.protocol) c.protocol = structuredClone(src.protocol);
  if (src.log) c.log = structuredClone(src.log);
  if (target) c.target = target;
  return c;
}

export function consoleCompat(def: DomainDef): void {
  const d = devicesOf(def);
  const consoles = d.console ?? [];
  consoles.forEach((c, i) => {
    if (i > 0 && c.target?.type === 'serial') {
      throw fail('XML_CONFLICT', `${devicePath('console', consoles, i)}/target/@type`, 'only the first console can be a serial port');
    }
  });
  const first = consoles[0];
  if (!first) return;
  const t = first.target?.type;
  if (t !== undefined && t !== 'serial') return;
  const serials = (d.serial ??= []);
  if (serials.length === 0) {
    serials.push(mirror(first, { port: 0 }));
  }
  const s0 = serials[0];
  if (s0) consoles[0] = mirror(s0, { type: 'serial', port: s0.target?.port ?? 0 });
}

function nextPort(list: Chr[], self: Chr): number {
  let max = -1;
  for (const o of list) if (o !== self && o.target?.port !== undefined) max = Math.max(max, o.target.port);
  return max + 1;
}

/**
 * Ports of serials written with <target type='isa-serial'> (virDomainChrIsaSerialDefPostParse):
 * explicit ports are checked, the others take the lowest free of the four.
 */
function isaSerialPorts(serials: Chr[]): void {
  const used = new Map<number, number>();
  let count = 0;
  serials.forEach((s, i) => {
    if (s.target?.type !== 'isa-serial') return;
    const path = devicePath('serial', serials, i);
    const port = s.target.port;
    if (count++ >= ISA_SERIAL_PORTS || (port !== undefined && port >= ISA_SERIAL_PORTS)) {
      throw fail('ADDRESS_CONFLICT', `${path}/target`, `at most ${ISA_SERIAL_PORTS} ISA serial ports exist (ports 0-${ISA_SERIAL_PORTS - 1})`);
    }
    if (port === undefined) return;
    const prev = used.get(port);
    if (prev !== undefined) throw fail('ADDRESS_CONFLICT', `${path}/target/@port`, `port ${port} is already used by ${devicePath('serial', serials, prev)}`);
    used.set(port, i);
  });
  for (const s of serials) {
    if (s.target?.type !== 'isa-serial' || s.target.port !== undefined) continue;
    for (let p = 0; p < ISA_SERIAL_PORTS; p++) {
      if (used.has(p)) continue;
      s.target.port = p;
      used.set(p, -1);
      break;
    }
  }
}

/**
 * Target defaults of serials, parallels and consoles: a serial without a
 * target type becomes isa-serial, and any port left unset is one more than
 * the highest port of its kind (virDomainChrDefPostParse).
 */
export function chrTargetDefaults(def: DomainDef): void {
  const d = devicesOf(def);
  const serials = d.serial ?? [];
  isaSerialPorts(serials);
  for (const s of serials) {
    const target = (s.target ??= {});
    if (target.port === undefined) target.port = nextPort(serials, s);
    target.type ??= 'isa-serial';
    if (target.type === 'isa-serial') target.model ??= { name: 'isa-serial' };
  }
  isaSerialPorts(serials);
  const parallels = d.parallel ?? [];
  for (const p of parallels) {
    const target = (p.target ??= {});
    if (target.port === undefined) target.port = nextPort(parallels, p);
  }
  const consoles = d.console ?? [];
  for (const c of consoles) {
    const target = (c.target ??= {});
    target.type ??= 'serial';
    if (target.port === undefined) target.port = nextPort(consoles, c);
  }
}

/** Ports of every virtio-serial controller: index -> port count. */
function virtioSerialControllers(def: DomainDef): Map<number, number> {
  const m = new Map<number, number>();
  for (const c of def.devices?.controller ?? []) {
    if (c.type === 'virtio-serial') m.set(c.index ?? 0, c.ports ?? 31);
  }
  return m;
}

export function assignVirtioSerialPorts(def: DomainDef): void {
  const d = devicesOf(def);
  const ctrls = virtioSerialControllers(def);
  const used = new Map<string, string>();
  const entries: Array<{ chr: Chr; path: string; console: boolean }> = [];
  for (const [kind, list] of [['console', d.console ?? []], ['channel', d.channel ?? []]] as const) {
    list.forEach((chr, i) => {
      if (chr.target?.type !== 'virtio') return;
      entries.push({ chr, path: devicePath(kind, list, i), console: kind === 'console' });
    });
  }
  for (const { chr, path } of entries) {
    const a = chr.address;
    if (a && a.type !== 'virtio-serial') throw fail('XML_CONFLICT', `${path}/address`, `a virtio ${path.includes('console') ? 'console' : 'channel'} needs a virtio-serial address, not '${a.type}'`);
    if (!a || a.port === undefined) continue;
    const ports = ctrls.get(a.controller);
    if (ports === undefined) throw fail('XML_CONFLICT', `${path}/address/@controller`, `there is no virtio-serial controller with index ${a.controller}`);
    if (a.bus !== 0) throw fail('ADDRESS_CONFLICT', `${path}/address/@bus`, 'virtio-serial controllers have only bus 0');
    if (a.port >= ports) throw fail('ADDRESS_CONFLICT', `${path}/address/@port`, `port ${a.port} does not exist on virtio-serial controller ${a.controller} (ports 0-${ports - 1})`);
    const key = `${a.controller}:${a.port}`;
    const prev = used.get(key);
    if (prev !== undefined) throw fail('ADDRESS_CONFLICT', `${path}/address`, `virtio-serial port ${a.controller}.${a.port} is already used by ${prev}`);
    used.set(key, path);
  }
  const order = [...entries.filter((e) => e.console), ...entries.filter((e) => !e.console)];
  const indices = [...ctrls.keys()].sort((x, y) => x - y);
  for (const { chr, path, console } of order) {
    const a = chr.address;
    if (a?.type === 'virtio-serial' && a.port !== undefined) continue;
    const candidates = a?.type === 'virtio-serial' ? [a.controller] : indices;
    let placed = false;
    for (const ci of candidates) {
      const ports = ctrls.get(ci);
      if (ports === undefined) throw fail('XML_CONFLICT', `${path}/address/@controller`, `there is no virtio-serial controller with index ${ci}`);
      for (let port = console ? 0 : 1; port < ports; port++) {
        if (used.has(`${ci}:${port}`)) continue;
        chr.address = { type: 'virtio-serial', controller: ci, bus: 0, port };
        used.set(`${ci}:${port}`, path);
        placed = true;
        break;
      }
      if (placed) break;
    }
    if (!placed) throw fail('ADDRESS_CONFLICT', path, 'no free virtio-serial port: add a <controller type=\'virtio-serial\'> or raise its ports=');
  }
}
