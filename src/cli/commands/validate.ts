/**
 * virtkit validate FILE, like virt-xml-validate: checks a domain definition
 * locally (no daemon) and reports every problem with its element path.
 */
import { checkDomainXml } from '../../core/xml/domain/index.js';
import { ExitStatus, command } from '../framework.js';
import { FILE_ARG } from '../domain.js';
import { readXmlFile } from './define.js';

export interface Problem {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

/**
 * Every problem of `xml`, each as `PATH: message` (the path first, whatever
 * the message says); `/` (the document) for XML that is not well-formed.
 */
export function domainXmlProblems(xml: string): Problem[] {
  return checkDomainXml(xml).map((e) => {
    const path = typeof e.details?.['path'] === 'string' ? e.details['path'] : '/';
    const message = e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message;
    return { code: e.code, path, message };
  });
}

export default command({
  name: 'validate',
  summary: 'validate a domain XML file, listing every problem (as virt-xml-validate)',
  args: [FILE_ARG],
  options: {},
  async run(ctx, { file }) {
    const problems = domainXmlProblems(await readXmlFile(ctx.io.cwd, file));
    if (ctx.json) ctx.printJson({ file, valid: problems.length === 0, problems });
    else if (problems.length === 0) ctx.print(`${file} validates`);
    else ctx.io.stderr(`${problems.map((p) => `${p.path}: ${p.message}\n`).join('')}${file} fails to validate\n`);
    if (problems.length > 0) throw new ExitStatus(1);
  },
});
