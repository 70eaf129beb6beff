/**
 * Carrying out an InstallPlan (src/core/install/types.ts), as virt-install's Installer.start_install
 * does against libvirt: the planned volumes (through the storage engine: empty, linked clones with
 * their backing file, full copies), the cloud-init seed and the files copied out of the install
 * media (into the instance's boot dir), then the domain: the final definition is defined (unless
 * transient) and the install-phase XML, when there is one, runs as its live configuration (a
 * `create` of the defined name: libvirt's createXML + defineXML). On any failure everything made so
 * far is taken back in reverse order (undo.ts): no domain, no volume, no file is left behind.
 *
 * Once the install phase runs, phases.ts follows it: when the guest powers off, the temporary files
 * go and the final definition starts (unless --noreboot), in the daemon, so the CLI may exit.
 */
import { copyFile, mkdir, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import { VirtkitError, asVirtkitError } from '../../core/errors.js';
import type { InstallPlan, PlannedCloudInit, PlannedVolume } from '../../core/install/types.js';
import { escapeXmlAttr, escapeXmlText } from '../../core/xml/tree.js';
import { dispatch, type DomainInfo } from '../engine/actions.js';
import type { EngineContext } from '../engine/context.js';
import { followInstallPhase } from './phases.js';
import { UndoStack, type UndoReport } from './undo.js';

/** How long each step may wait behind another job on the same pool or domain, ms. */
const WAIT = 60_000;

/** The parts of an install that live elsewhere, injected (the seed writer is src/host/iso's). */
export interface InstallHooks {
  /** Writes the NoCloud seed ISO (volume label `cidata`) at `seed.path`. */
  readonly writeSeed?: (seed: PlannedCloudInit) => Promise<void>;
  /** Copies `from`, a path inside the ISO image `isoPath`, to `to` (--location of an ISO). */
  readonly extractFromIso?: (isoPath: string, from: string, to: string) => Promise<void>;
  /** Percentages of a full volume copy (cloneFrom), per volume name. */
  readonly onProgress?: (volume: string, percent: number) => void;
}

export interface InstallResult {
  /** The domain as the install left it. */
  readonly domain: DomainInfo;
  /** What runs now: the install-phase XML, the final definition, or nothing (not started). */
  readonly running: 'install' | 'final' | null;
  readonly volumes: Array<{ readonly pool: string; readonly name: string; readonly path: string }>;
  /** Files made under the boot dir; removed when the install phase ends. */
  readonly files: string[];
  readonly warnings: string[];
}

const volumeXml = (v: PlannedVolume): string => [
  '<volume>',
  `  <name>${escapeXmlText(v.name)}</name>`,
  `  <capacity unit='bytes'>${v.capacity}</capacity>`,
  `  <allocation unit='bytes'>${v.sparse ? 0 : v.capacity}</allocation>`,
  `  <target><format type='${escapeXmlAttr(v.format)}'/></target>`,
  ...(v.backing === null ? [] : [
    `  <backingStore><path>${escapeXmlText(v.backing.path)}</path><format type='${escapeXmlAttr(v.backing.format)}'/></backingStore>`,
  ]),
  '</volume>',
  '',
].join('\n');

async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

async function makeVolume(ctx: EngineContext, v: PlannedVolume, hooks: InstallHooks): Promise<string> {
  const onProgress = hooks.onProgress === undefined ? undefined : (p: number) => hooks.onProgress?.(v.name, p);
  if (v.cloneFrom !== null) {
    const src = await dispatch(ctx, { kind: 'volFind', keyOrPath: v.cloneFrom });
    const made = await dispatch(ctx, {
      kind: 'volCreateFrom', pool: v.pool, xml: volumeXml({ ...v, backing: null }), inputPool: src.pool, inputVolume: src.name,
      ...(onProgress === undefined ? {} : { onProgress }),
    }, { wait: WAIT });
    return made.path;
  }
  return (await dispatch(ctx, { kind: 'volCreate', pool: v.pool, xml: volumeXml(v) }, { wait: WAIT })).path;
}

/** Makes the volumes and files of `plan`, recording each on `undo`. */
async function makeStorage(ctx: EngineContext, plan: InstallPlan, hooks: InstallHooks, undo: UndoStack,
  made: { volumes: InstallResult['volumes'][number][]; files: string[] }): Promise<void> {
  for (const v of plan.volumes) {
    const path = await makeVolume(ctx, v, hooks);
    undo.push(`volume '${v.name}' of pool '${v.pool}'`, async () => {
      await dispatch(ctx, { kind: 'volDelete', pool: v.pool, volume: v.name }, { wait: WAIT });
    });
    made.volumes.push({ pool: v.pool, name: v.name, path });
    if (path !== v.path) {
      throw new VirtkitError('INTERNAL_ERROR', `volume '${v.name}' of pool '${v.pool}' was made at ${path}, not at ${v.path} where the plan's XML looks for it`,
        { details: { pool: v.pool, volume: v.name, path, planned: v.path } });
    }
  }
  const file = async (path: string, write: () => Promise<void>): Promise<void> => {
    try {
      await mkdir(dirname(path), { recursive: true, mode: ctx.deps.layout.dirMode });
      await write();
    } catch (e) {
      // A copy cut short leaves part of a file; one that was there already (EEXIST) is not ours.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') await removeFile(path).catch(() => undefined);
      const err = asVirtkitError(e, 'IO_ERROR');
      throw err === e ? err : new VirtkitError('IO_ERROR', `cannot write ${path}: ${err.message}`, { cause: e, details: { path } });
    }
    undo.push(`file ${path}`, () => removeFile(path));
    made.files.push(path);
  };
  const seed = plan.cloudInit;
  if (seed !== null) {
    const write = hooks.writeSeed;
    if (write === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', 'this virtkitd cannot write cloud-init seeds yet (no NoCloud ISO writer)');
    await file(seed.path, () => write(seed));
  }
  for (const c of plan.copies) {
    const iso = c.isoPath;
    if (iso === null) {
      // COPYFILE_EXCL: never overwrite a file that is not ours.
      await file(c.to, () => copyFile(c.from, c.to, constants.COPYFILE_EXCL));
    } else {
      const extract = hooks.extractFromIso;
      if (extract === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', `this virtkitd cannot copy ${c.from} out of ${iso} yet (no ISO reader)`);
      await file(c.to, () => extract(iso, c.from, c.to));
    }
  }
}

/** Defines and starts the domain of `plan`; the install phase, if any, runs as the live configuration. */
async function makeDomain(ctx: EngineContext, plan: InstallPlan, undo: UndoStack): Promise<{ domain: DomainInfo; running: InstallResult['running'] }> {
  const final = plan.phases.at(-1);
  if (final === undefined) throw new VirtkitError('INVALID_ARGUMENT', 'the install plan has no domain XML');
  const install = plan.phases.length > 1 ? plan.phases[0] : undefined;
  let domain: DomainInfo | undefined;
  if (!plan.transient) {
    domain = (await dispatch(ctx, { kind: 'define', xml: final }, { wait: WAIT })).domain;
    const name = domain.name;
    undo.push(`domain '${name}'`, async () => {
      await dispatch(ctx, { kind: 'undefine', name }, { wait: WAIT });
    });
    if (plan.autostart) domain = await dispatch(ctx, { kind: 'setAutostart', name, enabled: true }, { wait: WAIT });
  }
  if (!plan.start) {
    if (domain === undefined) throw new VirtkitError('INVALID_ARGUMENT', 'a transient install that does not start makes nothing');
    return { domain, running: null };
  }
  domain = await dispatch(ctx, { kind: 'create', xml: install ?? final }, { wait: WAIT });
  const started = domain.name;
  undo.push(`running guest '${started}'`, async () => {
    const now = await dispatch(ctx, { kind: 'get', name: started }).catch(() => undefined);
    if (now !== undefined && now.id !== null) await dispatch(ctx, { kind: 'destroy', name: started }, { wait: WAIT });
  });
  return { domain, running: install === undefined ? 'final' : 'install' };
}

/**
 * Carries out `plan`. Throws the error of the step that failed (its code kept) once everything the
 * install had made is removed again; `details.undo` says what was removed and what could not be.
 */
export async function executeInstall(ctx: EngineContext, plan: InstallPlan, hooks: InstallHooks = {}): Promise<InstallResult> {
  // virt-install's validate_name: an existing name is refused before anything is made (a define
  // of the same name without a UUID would otherwise replace that domain's definition), and so is
  // one another install is making right now.
  const busy = installing.get(ctx) ?? new Set<string>();
  installing.set(ctx, busy);
  if (ctx.registry.byName(plan.name) || busy.has(plan.name)) {
    throw new VirtkitError('DOMAIN_EXISTS', `domain '${plan.name}' already exists${busy.has(plan.name) ? ' (another install is making it)' : ''}: choose another --name, or undefine it first`, { details: { domain: plan.name } });
  }
  busy.add(plan.name);
  try {
    return await carryOut(ctx, plan, hooks);
  } finally {
    busy.delete(plan.name);
  }
}

/** Names being installed, per engine. */
const installing = new WeakMap<EngineContext, Set<string>>();

async function carryOut(ctx: EngineContext, plan: InstallPlan, hooks: InstallHooks): Promise<InstallResult> {
  const undo = new UndoStack();
  const made: { volumes: InstallResult['volumes'][number][]; files: string[] } = { volumes: [], files: [] };
  let outcome: { domain: DomainInfo; running: InstallResult['running'] };
  try {
    await makeStorage(ctx, plan, hooks, undo, made);
    outcome = await makeDomain(ctx, plan, undo);
  } catch (e) {
    throw withUndo(e, await undo.unwind(ctx.log));
  }
  if (outcome.running === 'install') {
    await followInstallPhase(ctx, { name: outcome.domain.name, uuid: outcome.domain.uuid, restart: !plan.noreboot && !plan.transient, files: made.files });
  } else {
    // Nothing boots from them any more (a plan that does not start, or has no install phase).
    await Promise.all(made.files.map((f) => removeFile(f).catch((e: unknown) => ctx.log.warn(`install: cannot remove ${f}: ${String(e)}`))));
  }
  return { ...outcome, volumes: made.volumes, files: made.files, warnings: plan.warnings };
}

function withUndo(e: unknown, report: UndoReport): VirtkitError {
  const err = asVirtkitError(e);
  const left = report.leftBehind.length === 0
    ? 'everything it had made was removed again'
    : `these could not be removed and are still there: ${report.leftBehind.map((l) => `${l.what} (${l.error})`).join('; ')}`;
  return new VirtkitError(err.code, `install failed: ${err.message}; ${left}`, {
    cause: e, details: { ...err.details, undo: report },
  });
}
