/** Rules for <virtkit:link> (link-schema.ts): its namespace, one peer, names the kernel accepts. */
import type { VirtkitError } from '../../errors.js';
import { parseIp } from './address.js';
import { ifnameProblem, problem, step } from './problems.js';
import type { NetworkDef } from './schema.js';
import { VIRTKIT_NETWORK_XMLNS } from './schema.js';

export function linkProblems(def: NetworkDef): VirtkitError[] {
  const out: VirtkitError[] = [];
  const links = def.link ?? [];
  links.forEach((l, i) => {
    const p = `/network/${step('virtkit:link', i, links.length)}`;
    if (l.xmlns !== undefined && l.xmlns !== VIRTKIT_NETWORK_XMLNS) {
      out.push(problem('XML_INVALID_VALUE', `${p}/@xmlns:virtkit`, `'${l.xmlns}' is not virtkit's network namespace '${VIRTKIT_NETWORK_XMLNS}'`));
    } else if (l.xmlns === undefined && def.xmlnsVirtkit === undefined) {
      out.push(problem('XML_MISSING', `${p}/@xmlns:virtkit`, `<virtkit:link> needs xmlns:virtkit='${VIRTKIT_NETWORK_XMLNS}' on itself or on <network>`));
    }
    for (const [dev, at] of [[l.dev, `${p}/@dev`], [l.peer?.dev, `${p}/virtkit:peer/@dev`]] as const) {
      const bad = dev === undefined ? undefined : ifnameProblem(dev);
      if (bad) out.push(problem('XML_INVALID_VALUE', at, bad));
    }
    const peer = l.peer;
    if (!peer) {
      out.push(problem('XML_MISSING', `${p}/virtkit:peer`, "a link needs <virtkit:peer network='...'/> or <virtkit:peer netns='...'/>"));
      return;
    }
    if ((peer.network === undefined) === (peer.netns === undefined)) out.push(problem('XML_CONFLICT', `${p}/virtkit:peer`, 'a peer is a network= or a netns=, exactly one of them'));
    if (peer.network === def.name) out.push(problem('XML_CONFLICT', `${p}/virtkit:peer/@network`, 'a network cannot be linked to itself'));
    const nsOnly = [...(l.ip ?? []), ...(l.route ?? [])];
    if (peer.network !== undefined && nsOnly.length > 0) out.push(problem('XML_CONFLICT', p, '<virtkit:ip> and <virtkit:route> configure a namespace end: a peer network has its own addresses'));
    const ips = l.ip ?? [];
    ips.forEach((ip, j) => {
      const a = parseIp(ip.address);
      if (a && ip.prefix > (a.family === 'ipv4' ? 32 : 128)) out.push(problem('XML_INVALID_VALUE', `${p}/${step('virtkit:ip', j, ips.length)}/@prefix`, `${ip.prefix} is too long for ${ip.address}`));
    });
  });
  return out;
}
