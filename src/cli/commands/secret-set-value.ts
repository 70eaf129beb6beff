/**
 * secret-set-value as virsh 9: the value from --file (base64, or its bytes as they are with
 * --plain), from the terminal (--interactive, not echoed) or from --base64. The value goes to
 * the daemon in the request body only; --file or --interactive keep it out of the process list
 * and the shell history, which --base64 (kept for virsh scripts) does not.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, command, usageError } from '../framework.js';
import { onSecret, readHidden, SECRET_ARG } from '../secrets.js';

export default command({
  name: 'secret-set-value',
  summary: 'set a secret value',
  args: [SECRET_ARG],
  options: {
    file: { type: 'string', help: 'read secret from file', arg: 'string' },
    plain: { type: 'boolean', help: 'read the secret from file without converting from base64' },
    interactive: { type: 'boolean', help: 'read the secret from the terminal' },
    base64: { type: 'string', help: 'base64-encoded secret value', arg: 'string' },
  },
  async run(ctx, { secret }, o) {
    const sources = [o.file !== undefined, o.interactive, o.base64 !== undefined].filter(Boolean).length;
    if (sources > 1) throw usageError('Options --file, --interactive and --base64 are mutually exclusive');
    if (sources === 0) throw usageError('Input secret value is missing: give --file FILE (or --interactive)');
    if (o.plain && o.base64 !== undefined) throw usageError('Options --plain and --base64 are mutually exclusive');
    let bytes: Buffer | undefined;
    let text: string | undefined = o.base64;
    if (o.file !== undefined) {
      const file = o.file;
      try {
        bytes = await readFile(resolve(ctx.io.cwd, file));
      } catch (e) {
        throw new CliError([`failed to read '${file}'`, (e as Error).message]);
      }
    } else if (o.interactive) {
      const line = await readHidden(ctx.io.stdin, (t) => ctx.io.stderr(t));
      if (line === undefined) throw new CliError(['--interactive needs a terminal: give --file FILE instead']);
      bytes = Buffer.from(line);
    }
    if (bytes !== undefined) text = o.plain ? bytes.toString('base64') : bytes.toString('latin1');
    const value = text ?? '';
    const r = await onSecret(secret, 'Failed to set secret value', () => ctx.client().setSecretValue(secret, value));
    if (ctx.json) return ctx.printJson(r);
    ctx.print('Secret value set');
  },
});
