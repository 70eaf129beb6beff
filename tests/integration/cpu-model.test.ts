// Guest CPU models on real TCG guests: <cpu mode='host-model'> starts as the model and features
// domcapabilities lists (the live XML says which, the guest's /proc/cpuinfo has them, the
// inactive XML keeps host-model); a named model TCG cannot provide is refused before any QEMU
// runs, naming the missing features, and check='none' lets it start anyway.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { isVirtkitError } from '../../src/core/errors.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';

test("host-model: the live XML has the expanded model and features, QEMU's -cpu and the guest's flags agree", { timeout: 180_000 }, async () => {
  const h = await createHarness();
  try {
    const domcaps = await h.engine.dispatch({ kind: 'domcapabilities', query: { virttype: 'qemu' } });
    const hm = /<mode name='host-model' supported='yes'>\n\s*<model fallback='forbid'>([^<]+)<\/model>\n\s*<vendor>([^<]+)<\/vendor>/.exec(domcaps);
    assert.ok(hm !== null, domcaps);
    const [, model = '', vendor = ''] = hm;
    const required = [...domcaps.matchAll(/<feature policy='require' name='([^']+)'\/>/g)].map((m) => m[1] ?? '');

    const xml = await guestDomainXml('hm1', { append: `${GUEST_APPEND} ${GUEST_SHELL}`, extra: "  <cpu mode='host-model'/>\n" });
    await h.engine.dispatch({ kind: 'define', xml });
    await h.engine.dispatch({ kind: 'start', name: 'hm1' });
    await h.remember('hm1');
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name: 'hm1' })).stream);
    await shell.waitFor(GUEST_READY_MARKER);

    const live = await h.engine.dispatch({ kind: 'dumpxml', name: 'hm1' });
    assert.match(live, new RegExp(`<cpu mode='custom' match='exact' check='full'>\\s*<model fallback='forbid'>${model}</model>\\s*<vendor>${vendor}</vendor>`));
    for (const f of required) assert.match(live, new RegExp(`<feature policy='require' name='${f}'/>`));
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'hm1', inactive: true }), /<cpu mode='host-model'/);

    const pid = h.engine.ctx.registry.named('hm1').runtime?.pid;
    const argv = (await readFile(`/proc/${pid ?? 0}/cmdline`, 'utf8')).split('\0');
    assert.match(argv[argv.indexOf('-cpu') + 1] ?? '', new RegExp(`^${model},`));

    // vaes: TCG has it, the model not (required); xsavec: the model has it, TCG not (disabled).
    const disabled = [...domcaps.matchAll(/<feature policy='disable' name='([^']+)'\/>/g)].map((m) => m[1] ?? '');
    assert.ok(required.includes('vaes') && disabled.includes('xsavec'), domcaps);
    const flags = (await shell.check("grep -m1 '^flags' /proc/cpuinfo")).split(/\s+/);
    assert.ok(flags.includes('vaes') && !flags.includes('xsavec') && flags.includes('hypervisor'), flags.join(' '));
    await h.engine.dispatch({ kind: 'destroy', name: 'hm1' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('a model TCG lacks is refused before QEMU runs (CPU_INCOMPATIBLE, naming the features); check=none starts it', { timeout: 180_000 }, async () => {
  const h = await createHarness();
  try {
    const cpu = (check: string): string => `  <cpu mode='custom' match='exact'${check}><model fallback='forbid'>Skylake-Client</model></cpu>\n`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('sk1', { extra: cpu('') }) });
    await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'sk1' }), (e: unknown) => {
      assert.ok(isVirtkitError(e) && e.code === 'CPU_INCOMPATIBLE', String(e));
      assert.match(e.message, /^the CPU is incompatible with host CPU: Host CPU does not provide required features: [a-z0-9_., -]*\binvpcid\b[a-z0-9_., -]*\btsc-deadline\b/);
      return true;
    });
    assert.equal((await h.engine.dispatch({ kind: 'get', name: 'sk1' })).state, 'shutoff');
    await assertNoLeftovers(h);

    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('sk1', { extra: cpu(" check='none'") }) });
    await h.engine.dispatch({ kind: 'start', name: 'sk1' });
    await h.remember('sk1');
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name: 'sk1' })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    await h.engine.dispatch({ kind: 'destroy', name: 'sk1' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});
