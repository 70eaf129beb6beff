/**
 * The argv builder against the real QEMU 7.2 (/usr/bin/qemu-system-x86_64):
 * for each libvirt reference case, build the command line with real paths in
 * a temporary dir (small raw/qcow2 images from qemu-img, sockets), start QEMU
 * paused (-S), ask QMP (src/host/qmp) `query-pci`, and check every PCI device the prepared
 * def placed is where the XML said (bus, slot, function), then `quit` and
 * check that the process is gone and the temporary dir removed. A device with a
 * PCI address but no -device carrying its alias fails the case, unless it is a
 * controller built into the machine type that QEMU shows at that address.
 *
 * Adapted for this machine (each adaptation is recorded per case in the output):
 *   - type='kvm' runs as TCG (KVM hangs here); host-passthrough becomes 'maximum';
 *   - hugepages, host NUMA binding, PCI/USB host devices (VFIO, usb-host) and
 *     SR-IOV hostdev interfaces need hardware or setup absent here: left out;
 *   - tap-backed interfaces (ethernet/bridge/network) become user networking
 *     (same NIC model and PCI address; no tap fds without a bridge);
 *   - disks on host block devices or NBD become local image files of the same
 *     format (the front-end device and its address are unchanged).
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildQemuArgv } from '../../src/core/qemu/argv/index.js';
import { connectQmp } from '../../src/host/qmp/index.js';
import type { RuntimePaths } from '../../src/core/qemu/argv/index.js';
import type { DomainDef } from '../../src/core/xml/domain/index.js';
import { qemu72Caps } from '../golden/caps.js';
import { parseKeyval } from '../golden/normalize.js';
import { loadCases, needsShared, preparedDef } from '../golden/cases.js';
import type { Case } from '../golden/cases.js';

const QEMU = '/usr/bin/qemu-system-x86_64';
const PARALLEL = 3;

type Disk = NonNullable<NonNullable<DomainDef['devices']>['disk']>[number];

/** Rewrites a prepared def for this machine; returns the notes of what changed. */
function adaptForHost(def: DomainDef, dir: string): string[] {
  const notes: string[] = [];
  const d = (def.devices ??= {});
  if (def.type === 'kvm') {
    def.type = 'qemu';
    notes.push('kvm->tcg');
  }
  if (def.cpu?.mode === 'host-passthrough') {
    def.cpu.mode = 'maximum';
    notes.push('host-passthrough->maximum');
  }
  if (def.features?.hyperv) {
    delete def.features.hyperv;
    notes.push('no Hyper-V enlightenments (they need KVM)');
  }
  for (const g of d.graphics ?? []) {
    const listen = g.listens?.[0]?.address ?? g.listen;
    if (listen !== undefined && listen !== '127.0.0.1') {
      delete g.listen;
      g.listens = [{ type: 'address', address: '127.0.0.1' }];
      notes.push(`vnc listen ${listen}->127.0.0.1`);
    }
  }
  if (def.memoryBacking?.hugepages) {
    delete def.memoryBacking.hugepages;
    notes.push('no hugepages');
  }
  if (def.numatune) {
    delete def.numatune;
    notes.push('no host NUMA binding');
  }
  if ((d.hostdev ?? []).length > 0) {
    notes.push(`left out ${d.hostdev?.length} hostdev(s)`);
    d.hostdev = [];
  }
  const nets = d.interface ?? [];
  if (nets.some((n) => n.type === 'hostdev')) {
    d.interface = nets.filter((n) => n.type !== 'hostdev');
    notes.push('left out hostdev interface');
  }
  for (const n of d.interface ?? []) {
    if (n.type === 'ethernet' || n.type === 'bridge' || n.type === 'network') {
      notes.push(`${n.type} interface->user`);
      const keep = { mac: n.mac, model: n.model, alias: n.alias, address: n.address, boot: n.boot, mtu: n.mtu };
      for (const k of Object.keys(n)) delete (n as Record<string, unknown>)[k];
      Object.assign(n, { type: 'user' }, Object.fromEntries(Object.entries(keep).filter(([, v]) => v !== undefined)));
      if (n.model?.type !== 'virtio') delete n.mtu;
    }
  }
  (d.disk ?? []).forEach((disk: Disk, i) => {
    if (disk.source === undefined && disk.type !== 'network') return;
    const fmt = disk.driver?.type ?? 'raw';
    const file = join(dir, `disk${i}.${fmt}`);
    execFileSync('qemu-img', ['create', '-q', '-f', fmt === 'qcow2' ? 'qcow2' : 'raw', file, '16M']);
    if (disk.type !== 'file' || disk.source?.file?.startsWith('/dev/')) notes.push(`disk ${disk.target?.dev}: ${disk.type}->file`);
    disk.type = 'file';
    disk.source = { file };
    if (fmt !== 'qcow2' && fmt !== 'raw') throw new Error(`no test image for format ${fmt}`);
  });
  return notes;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(p));
    });
  });
}

interface PciDev {
  slot: number;
  function: number;
  qdev_id: string;
  pci_bridge?: { devices?: PciDev[] };
}

/** qdev_id -> "PARENT-QDEV-ID/slot.function" (root bus: the parent is ''); devices without an id (built into the machine) under ''. */
function pciPlaces(buses: Array<{ devices: PciDev[] }>): { byId: Map<string, string>; builtIn: Set<string> } {
  const byId = new Map<string, string>();
  const builtIn = new Set<string>();
  const walk = (devs: PciDev[], parent: string): void => {
    for (const dv of devs) {
      const place = `${parent}/${dv.slot}.${dv.function}`;
      if (dv.qdev_id === '') builtIn.add(place);
      else byId.set(dv.qdev_id, place);
      if (dv.pci_bridge?.devices) walk(dv.pci_bridge.devices, dv.qdev_id);
    }
  };
  for (const b of buses) walk(b.devices, '');
  return { byId, builtIn };
}

/**
 * Controllers the machine type has built in, so libvirt writes no -device for them: the
 * PIIX3 IDE function of pc (00:01.1) and the ICH9 AHCI of q35 (00:1f.2). QEMU must have an
 * id-less device at exactly that place.
 */
const BUILT_IN: Record<string, string> = { ide: '/1.1', sata: '/31.2' };

/** The ids of every -device on the command line (JSON or key=value). */
function deviceIds(args: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const v = args[i + 1];
    if (args[i] !== '-device' || v === undefined) continue;
    const id = v.startsWith('{') ? (JSON.parse(v) as { id?: unknown }).id : parseKeyval(v, 'driver')['id'];
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

interface Wanted {
  alias: string;
  /** "PARENT-ALIAS/slot.function" */
  place: string;
  /** The controller type when this is a controller (to recognise BUILT_IN ones). */
  controller?: string;
  onArgv: boolean;
}

/** Every device of the prepared def with a PCI address, where it asks to be, and whether it has a -device. */
function wantedPlaces(def: DomainDef, args: readonly string[]): Wanted[] {
  const ids = deviceIds(args);
  const busAlias = new Map<number, string>();
  for (const c of def.devices?.controller ?? []) if (c.type === 'pci' && c.alias && (c.index ?? 0) > 0) busAlias.set(c.index ?? 0, c.alias.name);
  const controllers = new Set<unknown>(def.devices?.controller ?? []);
  type Dev = { alias?: { name: string }; address?: { type: string }; type?: unknown };
  const all = Object.values(def.devices ?? {})
    .flatMap((v: unknown) => (Array.isArray(v) ? (v as unknown[]) : [v]))
    .filter((v): v is Dev => v !== null && typeof v === 'object');
  const out: Wanted[] = [];
  for (const dev of all) {
    const a = dev.address;
    if (!a || a.type !== 'pci') continue;
    const alias = dev.alias?.name;
    if (alias === undefined) throw new Error(`a device at PCI ${JSON.stringify(a)} has no alias after prepareDomain`);
    const p = a as unknown as { bus: number; slot: number; function: number };
    const w: Wanted = { alias, place: `${p.bus === 0 ? '' : busAlias.get(p.bus)}/${p.slot}.${p.function}`, onArgv: ids.has(alias) };
    if (controllers.has(dev) && typeof dev.type === 'string') w.controller = dev.type;
    out.push(w);
  }
  return out;
}

/**
 * A device with a PCI address but no -device with its alias is either a BUILT_IN controller that
 * QEMU shows id-less at that place, or an error (a device the argv dropped or renamed).
 */
function checkNotOnArgv(w: Wanted, builtIn: Set<string>): void {
  const fixed = w.controller === undefined ? undefined : BUILT_IN[w.controller];
  if (fixed === w.place && builtIn.has(w.place)) return;
  if (fixed === w.place) throw new Error(`built-in ${w.controller} controller '${w.alias}': QEMU has no built-in device at ${w.place}`);
  throw new Error(`device '${w.alias}' has PCI address ${w.place} but no -device with id '${w.alias}' on the command line`);
}

async function runCase(c: Case): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'virtkit-argv-'));
  let child: ChildProcess | undefined;
  let stderr = '';
  try {
    const def = preparedDef(c.inputXml);
    const notes = adaptForHost(def, dir);
    const libDir = join(dir, 'lib');
    execFileSync('mkdir', ['-p', libDir, join(dir, 'channels')]);
    writeFileSync(join(libDir, 'master-key.aes'), Buffer.alloc(32, 7));
    const graphicsPorts: number[] = [];
    for (const _g of def.devices?.graphics ?? []) graphicsPorts.push(5900 + ((await freePort()) % 20000));
    const paths: RuntimePaths = {
      libDir,
      monitor: { path: join(dir, 'monitor.sock') },
      masterKeyPath: join(libDir, 'master-key.aes'),
      channelDir: join(dir, 'channels'),
      graphicsPorts,
      passEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      binary: QEMU,
    };
    for (const gr of def.devices?.graphics ?? []) if (gr.port !== undefined && gr.port !== -1) gr.autoport = true; // fixed ports may be taken
    const argv = buildQemuArgv(def, qemu72Caps(), paths);
    child = spawn(argv.binary, argv.args, { env: argv.env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((res) => child?.once('exit', (code) => res(code)));
    const qmp = await Promise.race([
      connectQmp(join(dir, 'monitor.sock'), { timeoutMs: 20_000 }),
      exited.then((code) => {
        throw new Error(`QEMU exited (${code}) before QMP answered: ${stderr.trim()}`);
      }),
    ]);
    const pci = pciPlaces((await qmp.executeRaw('query-pci')) as Array<{ devices: PciDev[] }>);
    const wanted = wantedPlaces(def, argv.args);
    for (const w of wanted.filter((x) => !x.onArgv)) checkNotOnArgv(w, pci.builtIn);
    const want = new Map(wanted.filter((x) => x.onArgv).map((x) => [x.alias, x.place]));
    for (const [alias, place] of want) {
      let got = pci.byId.get(alias);
      if (got === undefined && !place.startsWith('/')) {
        // Behind a bridge: query-pci lists a bridge's devices by secondary bus
        // number, which only firmware assigns (the guest has not run: -S), so
        // ask QOM for the device's parent bus and devfn instead.
        const path = `/machine/peripheral/${alias}`;
        const bus = String(await qmp.executeRaw('qom-get', { path, property: 'parent_bus' }));
        const devfn = Number(await qmp.executeRaw('qom-get', { path, property: 'addr' }));
        got = `${bus.split('/').pop() ?? ''}/${devfn >> 3}.${devfn & 7}`;
      }
      assert.equal(got, place, `${c.name}: device '${alias}' should be at ${place}, QEMU has it at ${got ?? 'nowhere'}`);
    }
    await qmp.executeRaw('quit');
    await qmp.close();
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
    assert.equal(code, 0, `${c.name}: QEMU exit status after quit (stderr: ${stderr.trim()})`);
    return `${c.name}: ${want.size} PCI devices in place, ${wanted.length - want.size} built in${notes.length ? ` [${notes.join('; ')}]` : ''}`;
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    assert.equal(existsSync(dir), false, `${c.name}: temporary dir left behind`);
    if (child?.pid !== undefined) {
      let alive = true;
      for (let i = 0; i < 50 && alive; i++) {
        try {
          process.kill(child.pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          alive = false;
        }
      }
      assert.equal(alive, false, `${c.name}: QEMU process ${child.pid} still running`);
    }
  }
}

describe('argv on the real QEMU 7.2', needsShared('domain'), () => test('argv runs on the real QEMU 7.2: devices at the addresses the XML asked for', { skip: !existsSync(QEMU) && `${QEMU} is not installed` }, async () => {
  const cases = loadCases();
  const queue = [...cases];
  const lines: string[] = [];
  const failures: string[] = [];
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      try {
        lines.push(await runCase(c));
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  lines.sort();
  console.log(lines.join('\n'));
  console.log(`argv on QEMU 7.2: ${cases.length - failures.length}/${cases.length} cases started, matched query-pci, and quit cleanly`);
  assert.deepEqual(failures, [], failures.join('\n'));
}));
