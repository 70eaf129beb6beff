/**
 * The install phase survives a virtkitd restart: the daemon that ran the install is closed while
 * the install-phase guest runs (guests keep running), a new daemon on the same instance re-attaches
 * to it and, from the record the first one wrote, follows the install phase again: when the guest
 * reboots, it deletes the install's files and starts the final definition.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InstallPlan } from '../../src/core/install/types.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { executeInstall } from '../../src/daemon/install/execute.js';
import { installBootDir } from '../../src/daemon/install/host-facts.js';
import { installPhaseEnd } from '../../src/daemon/install/phases.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { assertLeftNothing, quietLog, tempRoot } from './daemon-harness.js';

test('a virtkitd restarted during the install phase follows it again and starts the final definition', { timeout: 300_000 }, async () => {
  const { root, layout } = await tempRoot();
  const log: string[] = [];
  const name = 'vk-inst-restart';
  let daemon: RunningDaemon = await startDaemon({ layout, log: quietLog(log), autostart: false });
  try {
    const seed = join(installBootDir(daemon.engine.ctx), `virtinst-${name}-cloudinit.iso`);
    const phase1 = await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL} vk.phase=install`, extra: '  <on_reboot>destroy</on_reboot>\n' });
    const final = await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL} vk.phase=final` });
    const plan: InstallPlan = {
      name, phases: [phase1, final], volumes: [], copies: [], autostart: false, transient: false, autoconsole: 'none',
      cloudInit: { path: seed, userData: '#cloud-config\n', metaData: '', networkConfig: null, generatedRootPassword: null },
      waitMinutes: null, noreboot: false, start: true, warnings: [],
    };
    await executeInstall(daemon.engine.ctx, plan, { writeSeed: (s) => writeFile(s.path, s.userData) });
    assert.equal((await readdir(join(layout.stateDir, 'install'))).length, 1, 'the install phase is recorded');
    await daemon.close();

    daemon = await startDaemon({ layout, log: quietLog(log), autostart: false });
    const e = daemon.engine;
    const ended = installPhaseEnd(e.ctx, name);
    assert.ok(ended, `the new daemon follows the install phase again; its log:\n${log.join('\n')}`);
    const shell = new GuestShell((await e.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.match(await shell.check('cat /proc/cmdline'), /vk\.phase=install/);
    shell.stream.write('reboot -f\n');
    assert.deepEqual(await ended, { stopped: 'shutdown', restarted: true });
    assert.match(await e.dispatch({ kind: 'dumpxml', name }), /vk\.phase=final/);
    assert.equal(existsSync(seed), false, 'the seed is deleted');
    assert.deepEqual(await readdir(join(layout.stateDir, 'install')), [], 'and the record');
  } finally {
    try {
      const e = daemon.engine;
      if ((await e.dispatch({ kind: 'get', name }).catch(() => undefined))?.persistent === true) await e.dispatch({ kind: 'undefine', name }, { wait: 60_000 });
      const r = await e.dispatch({ kind: 'get', name }).catch(() => undefined);
      if (r !== undefined && r.state !== 'shutoff') await e.dispatch({ kind: 'destroy', name }, { wait: 60_000 });
    } finally {
      await daemon.close();
    }
    await assertLeftNothing(root, layout);
  }
});
