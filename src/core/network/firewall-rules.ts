/**
 * The small vocabulary virtkit's firewall rules are made of, with two renderings of each rule:
 * nft's text (what `--dry-run` and docs/firewall.md show, and what `nft list` prints back) and
 * nft's JSON (what virtkit sends, `nft -j -f -`). JSON because another table's chain may have
 * a name nft 1.0.6's text parser cannot take back (a keyword such as `fwd` or `in`, a table name
 * that would need quoting); in JSON every name is just a string.
 */

export type Match =
  | { readonly meta: 'iifname' | 'oifname'; readonly is: string }
  | { readonly meta: 'nfproto'; readonly is: 'ipv4' | 'ipv6' }
  | { readonly meta: 'l4proto'; readonly is: 'tcp' | 'udp' }
  | { readonly addr: 'ip' | 'ip6'; readonly field: 'saddr' | 'daddr'; readonly not?: boolean; readonly is: string }
  | { readonly dport: 'tcp' | 'udp'; readonly is: readonly number[] }
  | { readonly ct: readonly ('established' | 'related')[] };

export type Verdict =
  | 'accept' | 'reject' | 'return'
  | { readonly masquerade: { readonly ports?: readonly [number, number] } }
  | { readonly snat: { readonly from: string; readonly to: string; readonly ports?: readonly [number, number] } };

export interface Rule {
  readonly match: readonly Match[];
  readonly counter?: boolean;
  readonly verdict: Verdict;
  readonly comment?: string;
}

type Json = Record<string, unknown>;

function matchText(m: Match): string {
  if ('meta' in m) return m.meta === 'iifname' || m.meta === 'oifname' ? `${m.meta} "${m.is}"` : `meta ${m.meta} ${m.is}`;
  if ('addr' in m) return `${m.addr} ${m.field}${m.not === true ? ' !=' : ''} ${m.is}`;
  if ('dport' in m) return `${m.dport} dport ${m.is.length === 1 ? String(m.is[0]) : `{ ${m.is.join(', ')} }`}`;
  return `ct state ${m.ct.join(',')}`;
}

const range = (r: readonly [number, number]): string => `${r[0]}-${r[1]}`;

function verdictText(v: Verdict): string {
  if (typeof v === 'string') return v;
  if ('masquerade' in v) return v.masquerade.ports === undefined ? 'masquerade' : `masquerade to :${range(v.masquerade.ports)}`;
  const addr = v.snat.from === v.snat.to ? v.snat.from : `${v.snat.from}-${v.snat.to}`;
  return `snat ip to ${addr}${v.snat.ports === undefined ? '' : `:${range(v.snat.ports)}`}`;
}

export function ruleText(r: Rule): string {
  return [...r.match.map(matchText), ...(r.counter === true ? ['counter'] : []), verdictText(r.verdict), ...(r.comment === undefined ? [] : [`comment "${r.comment}"`])].join(' ');
}

function addrJson(text: string): unknown {
  const [addr, len] = text.split('/');
  return len === undefined ? addr : { prefix: { addr, len: Number(len) } };
}

function matchJson(m: Match): Json {
  const eq = (left: unknown, right: unknown, op = '=='): Json => ({ match: { op, left, right } });
  if ('meta' in m) return eq({ meta: { key: m.meta } }, m.is);
  if ('addr' in m) return eq({ payload: { protocol: m.addr, field: m.field } }, addrJson(m.is), m.not === true ? '!=' : '==');
  if ('dport' in m) return eq({ payload: { protocol: m.dport, field: 'dport' } }, m.is.length === 1 ? m.is[0] : { set: [...m.is] });
  return eq({ ct: { key: 'state' } }, [...m.ct], 'in');
}

function verdictJson(v: Verdict): Json {
  if (typeof v === 'string') return { [v]: null };
  const port = (r: readonly [number, number] | undefined): Json => (r === undefined ? {} : { port: { range: [...r] } });
  if ('masquerade' in v) return { masquerade: v.masquerade.ports === undefined ? null : port(v.masquerade.ports) };
  const addr = v.snat.from === v.snat.to ? v.snat.from : { range: [v.snat.from, v.snat.to] };
  return { snat: { family: 'ip', addr, ...port(v.snat.ports) } };
}

/** The rule's statements (`expr`) as nft JSON. */
export function ruleExpr(r: Rule): Json[] {
  return [...r.match.map(matchJson), ...(r.counter === true ? [{ counter: { packets: 0, bytes: 0 } }] : []), verdictJson(r.verdict)];
}
