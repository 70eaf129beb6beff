/**
 * virsh edit: the inactive XML in a temporary file, $VISUAL / $EDITOR (vi
 * when neither is set) on it, then the result checked locally and defined.
 * Invalid XML is reported problem by problem; on a terminal the user may
 * edit again, otherwise nothing is redefined and the exit status is 1.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { CliError, command, type Io } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { domainXmlProblems } from './validate.js';

/** Runs the editor as an argument array (its variable may hold options: "code -w"), never through a shell. */
export function runEditor(io: Io, file: string): Promise<void> {
  const words = (io.env['VISUAL'] ?? io.env['EDITOR'] ?? 'vi').trim().split(/\s+/).filter((w) => w !== '');
  const [bin = 'vi', ...args] = words;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args, file], { stdio: io.stdin ? 'inherit' : ['ignore', 'ignore', 'pipe'], env: io.env });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => reject(new CliError([`cannot run the editor '${bin}': ${e.message}`])));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new CliError([`the editor '${bin}' failed (${signal ?? `exit status ${code}`})${err.trim() === '' ? '' : `: ${err.trim()}`}`]));
    });
  });
}

export async function askAgain(io: Io): Promise<boolean> {
  if (io.stdin === undefined) return false;
  const rl = createInterface({ input: io.stdin, output: process.stdout });
  try {
    return /^y/i.test(await rl.question('Failed. Try again? [y,n]: '));
  } finally {
    rl.close();
  }
}

export default command({
  name: 'edit',
  summary: 'edit XML configuration for a domain',
  args: [DOMAIN_ARG],
  options: {},
  async run(ctx, { domain }) {
    const client = ctx.client();
    const original = await onDomain(domain, undefined, () => client.domainXml(domain, { inactive: true }));
    const info = await onDomain(domain, undefined, () => client.getDomain(domain));
    const dir = await mkdtemp(join(tmpdir(), 'virtkit-edit-'));
    try {
      const file = join(dir, `${info.name}.xml`);
      await writeFile(file, original, { mode: 0o600 });
      for (;;) {
        await runEditor(ctx.io, file);
        const edited = await readFile(file, 'utf8');
        if (edited === original) {
          if (ctx.json) return ctx.printJson({ changed: false, domain: info });
          return ctx.print(`Domain '${info.name}' XML configuration not changed.`);
        }
        const problems = domainXmlProblems(edited);
        if (problems.length === 0) {
          const r = await onDomain(domain, undefined, () => client.defineDomain(edited));
          if (ctx.json) return ctx.printJson({ changed: true, domain: r.domain });
          return ctx.print(`Domain '${r.domain.name}' XML configuration edited.`);
        }
        const lines = [`the edited XML of domain '${info.name}' is invalid`, ...problems.map((p) => `${p.path}: ${p.message}`)];
        // Not on a terminal: nobody to ask, so nothing is redefined.
        if (!ctx.io.stdin?.isTTY) throw new CliError([...lines, 'the definition was not changed']);
        ctx.io.stderr(lines.map((l) => `error: ${l}\n`).join(''));
        if (!(await askAgain(ctx.io))) throw new CliError(['the definition was not changed']);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});
