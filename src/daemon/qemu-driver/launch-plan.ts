/**
 * From the daemon's definition to what QEMU runs: the core model, prepared
 * (defaults, aliases, addresses), the first serial port moved onto a unix
 * socket the driver holds (see src/host/qemu/console.ts for why), the
 * lifecycle policy, and the command line.
 */
import type { ArgvCaps, QemuArgv, RuntimePaths } from '../../core/qemu/argv/index.js';
import { buildQemuArgv } from '../../core/qemu/argv/index.js';
import type { LifecycleAction, LifecyclePolicy } from '../../core/qemu/lifecycle.js';
import { DEFAULT_POLICY } from '../../core/qemu/lifecycle.js';
import type { DomainDef as CoreDomainDef } from '../../core/xml/domain/index.js';
import type { DomainDef } from '../domain-xml.js';
import type { DomainRuntimePaths } from '../paths.js';

export interface LaunchPlan {
  readonly prepared: CoreDomainDef;
  readonly argv: QemuArgv;
  readonly policy: LifecyclePolicy;
  readonly consoleSocket: string | undefined;
  readonly noReboot: boolean;
  /** Device alias -> element kind, for the status file. */
  readonly aliases: Record<string, string>;
  /** The definition as running, in the daemon's model. */
  readonly liveDef: DomainDef;
}

export type Prepare = (def: CoreDomainDef) => CoreDomainDef;

/** A private copy of the definition: the plan edits it (console socket). */
export function toCoreDef(def: DomainDef): CoreDomainDef {
  return structuredClone(def);
}

export function policyOf(def: CoreDomainDef): LifecyclePolicy {
  const a = (v: string | undefined, d: LifecycleAction): LifecycleAction => (v as LifecycleAction | undefined) ?? d;
  return {
    onPoweroff: a(def.on_poweroff, DEFAULT_POLICY.onPoweroff),
    onReboot: a(def.on_reboot, DEFAULT_POLICY.onReboot),
    onCrash: a(def.on_crash, DEFAULT_POLICY.onCrash),
  };
}

function aliasesOf(def: CoreDomainDef): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [kind, list] of Object.entries(def.devices ?? {})) {
    const items: unknown[] = Array.isArray(list) ? list : [list];
    for (const item of items) {
      const name = (item as { alias?: { name?: string } } | undefined)?.alias?.name;
      // A <console> mirroring serial0 shares its alias: the serial port it is.
      if (name !== undefined) out[name] ??= kind;
    }
  }
  return out;
}

/** The key files of a start, by target dev: LUKS keys (<encryption>) and rbd cephx keys (<source><auth>). */
export interface DiskKeyFiles {
  readonly encryption: Record<string, string>;
  readonly auth: Record<string, string>;
}

/**
 * Where the keys of the disks are written for QEMU: files in the domain's private run dir
 * (0700), named after the target dev (a dev that is not a plain name gets its index in the
 * disk list instead).
 */
export function diskKeyFiles(def: CoreDomainDef, runDir: string): DiskKeyFiles {
  const out: DiskKeyFiles = { encryption: {}, auth: {} };
  (def.devices?.disk ?? []).forEach((d, i) => {
    const dev = d.target?.dev;
    if (dev === undefined) return;
    const base = `${runDir}/disk-${/^[A-Za-z0-9_-]+$/.test(dev) ? dev : String(i)}`;
    if (d.encryption !== undefined) out.encryption[dev] = `${base}.key`;
    if (d.source?.auth !== undefined) out.auth[dev] = `${base}-auth.key`;
  });
  return out;
}

/** The RuntimePaths every run of this instance has: its dirs, the monitor socket, PATH, the disks' key files. */
function instanceRuntimePaths(paths: DomainRuntimePaths, binary: string | undefined, def: CoreDomainDef): RuntimePaths {
  const keys = diskKeyFiles(def, paths.runDir);
  return {
    libDir: paths.libDir,
    monitor: { path: paths.qmpSocket },
    channelDir: paths.runDir,
    ...(Object.keys(keys.encryption).length === 0 ? {} : { diskSecretFiles: keys.encryption }),
    ...(Object.keys(keys.auth).length === 0 ? {} : { diskAuthFiles: keys.auth }),
    passEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    ...(binary === undefined ? {} : { binary }),
  };
}

/**
 * The command line of a pretend run (domxml-to-native): the instance's run
 * paths plus the made-up run-time values `pretend` gives for the prepared
 * definition. Serial ports stay as the XML says (a pty is printed as a pty):
 * the console socket is the driver's own business at `start`.
 */
export function planNative(
  def: DomainDef, prepare: Prepare, caps: ArgvCaps, paths: DomainRuntimePaths, binary: string | undefined,
  pretend: (prepared: CoreDomainDef) => Partial<RuntimePaths>,
): QemuArgv {
  const prepared = prepare(toCoreDef(def));
  return buildQemuArgv(prepared, caps, { ...pretend(prepared), ...instanceRuntimePaths(paths, binary, prepared) });
}

export function planLaunch(def: DomainDef, prepare: Prepare, caps: ArgvCaps, paths: DomainRuntimePaths, binary: string | undefined): LaunchPlan {
  return planLaunchPrepared(prepare(toCoreDef(def)), caps, paths, binary);
}

/** planLaunch for a definition prepared already (the driver has made its taps and named them in it). */
export function planLaunchPrepared(
  prepared: CoreDomainDef, caps: ArgvCaps, paths: DomainRuntimePaths, binary: string | undefined, run: Partial<RuntimePaths> = {},
): LaunchPlan {
  const forQemu = structuredClone(prepared);
  const serial0 = forQemu.devices?.serial?.[0];
  let consoleSocket: string | undefined;
  if (serial0 !== undefined && (serial0.type ?? 'pty') === 'pty') {
    consoleSocket = paths.consoleSocket;
    serial0.type = 'unix';
    serial0.source = [{ mode: 'bind', path: consoleSocket }];
  }
  const argv = buildQemuArgv(forQemu, caps, { ...run, ...instanceRuntimePaths(paths, binary, forQemu) });
  return {
    prepared, argv, policy: policyOf(prepared), consoleSocket, noReboot: argv.args.includes('-no-reboot'),
    aliases: aliasesOf(prepared), liveDef: prepared,
  };
}
