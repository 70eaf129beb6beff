/**
 * virsh pool-edit: the pool's inactive XML in a temporary file, $VISUAL /
 * $EDITOR on it (as `edit` runs it), then the result defined (pool-define
 * with the same name and UUID replaces the definition; an active pool keeps
 * running as it was started). A definition the daemon refuses changes
 * nothing: on a terminal the user may edit again, otherwise the exit status is 1.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asVirtkitError } from '../../core/errors.js';
import { CliError, command } from '../framework.js';
import { onStorage, POOL_ARG } from '../storage.js';
import { askAgain, runEditor } from './edit.js';

export default command({
  name: 'pool-edit',
  summary: 'edit XML configuration for a storage pool',
  args: [POOL_ARG],
  options: {},
  async run(ctx, { pool }) {
    const client = ctx.client();
    const info = await onStorage({ pool }, undefined, () => client.getPool(pool));
    const original = await onStorage({ pool }, undefined, () => client.poolXml(pool, { inactive: true }));
    const dir = await mkdtemp(join(tmpdir(), 'virtkit-pool-edit-'));
    try {
      const file = join(dir, `${info.name}.xml`);
      await writeFile(file, original, { mode: 0o600 });
      for (;;) {
        await runEditor(ctx.io, file);
        const edited = await readFile(file, 'utf8');
        if (edited === original) {
          if (ctx.json) return ctx.printJson({ changed: false, pool: info });
          return ctx.print(`Pool ${info.name} XML configuration not changed.`);
        }
        try {
          const r = await client.definePool(edited);
          if (ctx.json) return ctx.printJson({ changed: true, pool: r.pool });
          return ctx.print(`Pool ${r.pool.name} XML configuration edited.`);
        } catch (e) {
          const err = asVirtkitError(e);
          if (err.code === 'DAEMON_UNREACHABLE') throw err;
          const lines = [`the edited XML of pool '${info.name}' was refused`, err.message];
          if (!ctx.io.stdin?.isTTY) throw new CliError([...lines, 'the definition was not changed'], err);
          ctx.io.stderr(lines.map((l) => `error: ${l}\n`).join(''));
          if (!(await askAgain(ctx.io))) throw new CliError(['the definition was not changed'], err);
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});
