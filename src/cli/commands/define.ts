import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, command } from '../framework.js';
import { FILE_ARG, onDomain } from '../domain.js';

/** Reads an XML file as virsh does, with its error wording. */
export async function readXmlFile(cwd: string, file: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message;
    throw new CliError([`Failed to open file '${file}': ${why}`]);
  }
}

export default command({
  name: 'define',
  summary: 'define (but don\'t start) a domain from an XML file',
  args: [FILE_ARG],
  options: {},
  async run(ctx, { file }) {
    const xml = await readXmlFile(ctx.io.cwd, file);
    const r = await onDomain(file, `Failed to define domain from ${file}`, () => ctx.client().defineDomain(xml));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Domain '${r.domain.name}' defined from ${file}`);
  },
});
