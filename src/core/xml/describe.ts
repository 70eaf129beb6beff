/** Renders a spec as an indented reference of supported elements and attributes (docs/domain-xml.md). */
import type { AnySpec } from './schema.js';
import { resolveSpec } from './schema.js';

export function describeSpec(spec: AnySpec, name: string, depth = 0, seen = new Set<AnySpec>()): string[] {
  const pad = '  '.repeat(depth);
  switch (spec.kind) {
    case 'raw':
      return [`${pad}- \`<${name}>\`: any content, kept verbatim`];
    case 'custom':
      return [`${pad}- \`<${name}>\`: see the notes above`];
    case 'text':
      return [`${pad}- \`<${name}>\`: ${spec.type.describe}`];
    case 'elem': {
      const attrs = Object.entries(spec.attrs).map(([k, a]) => {
        const n = a.xml ?? k;
        return `\`${n}\`${a.required ? '*' : ''}`;
      });
      if (spec.scaled) attrs.push(`\`${spec.scaled.unitAttr ?? 'unit'}\``);
      const text = spec.text ? ` text: ${spec.text.describe}${spec.scaled?.field === 'value' ? ' (scaled by unit)' : ''}.` : '';
      const head = `${pad}- \`<${name}>\`${attrs.length ? ` attributes: ${attrs.join(', ')}.` : ''}${text}`;
      if (seen.has(spec)) return [`${head} (as above)`];
      const next = new Set(seen).add(spec);
      const lines = [head];
      for (const [k, c] of Object.entries(spec.children)) {
        const child = resolveSpec(c.spec as AnySpec);
        const sub = describeSpec(child, c.xml ?? k, depth + 1, next);
        if (c.many && sub[0]) sub[0] = sub[0] + ' (repeatable)';
        lines.push(...sub);
      }
      return lines;
    }
  }
}
