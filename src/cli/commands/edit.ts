/**
 * virsh edit: the inactive XML in a temporary file, $VISUAL / $EDITOR (vi
 * when neither is set) on it, then the result checked locally and defined.
 * Invalid XML is reported problem by problem; on a terminal the user may
 * edit again, otherwise nothing is redefined and the exit status is 1.
 */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { editUntilAccepted } from '../editor.js';
import { domainXmlProblems } from './validate.js';

export default command({
  name: 'edit',
  summary: 'edit XML configuration for a domain',
  args: [DOMAIN_ARG],
  options: {},
  async run(ctx, { domain }) {
    const client = ctx.client();
    const original = await onDomain(domain, undefined, () => client.domainXml(domain, { inactive: true }));
    const info = await onDomain(domain, undefined, () => client.getDomain(domain));
    const r = await editUntilAccepted(ctx, `${info.name}.xml`, original, async (edited) => {
      const problems = domainXmlProblems(edited);
      if (problems.length > 0) {
        return { refused: [`the edited XML of domain '${info.name}' is invalid`, ...problems.map((p) => `${p.path}: ${p.message}`)] };
      }
      return { done: await onDomain(domain, undefined, () => client.defineDomain(edited)) };
    });
    if (r === undefined) {
      if (ctx.json) return ctx.printJson({ changed: false, domain: info });
      return ctx.print(`Domain '${info.name}' XML configuration not changed.`);
    }
    if (ctx.json) return ctx.printJson({ changed: true, domain: r.domain });
    ctx.print(`Domain '${r.domain.name}' XML configuration edited.`);
  },
});
