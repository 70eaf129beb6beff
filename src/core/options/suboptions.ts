/**
 * virt-install's sub-option syntax: `--disk path=/a,bus=sata,readonly`. One flag value is split into
 * `key=value` items at commas, as virt-install does it (Python's shlex in POSIX mode with the comma as the
 * only separator): double or single quotes keep commas inside a value (`cmdline="console=ttyS0,115200n8"`),
 * a backslash outside quotes escapes the next character (`\,`), inside double quotes it escapes only `"`
 * and `\`; quotes and escapes do not reach the value. Empty items are dropped.
 */
import { VirtkitError } from '../errors.js';

export interface RawItem {
  key: string;
  /** null when the item has no `=` (a bare word). */
  value: string | null;
}

/** Split a flag value into its items; throws INVALID_ARGUMENT on an unterminated quote or trailing backslash. */
export function splitSubOptions(text: string, flag: string): RawItem[] {
  const tokens: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text.charAt(++i);
      else cur += c;
      continue;
    }
    if (c === ',') {
      if (has) tokens.push(cur);
      cur = '';
      has = false;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw bad(flag, text, 'it ends with a lone backslash');
      cur += text.charAt(++i);
      has = true;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw bad(flag, text, `a ${quote === '"' ? 'double' : 'single'} quote is not closed`);
  if (has) tokens.push(cur);
  return tokens
    .filter((t) => t !== '')
    .map((t) => {
      const eq = t.indexOf('=');
      return eq < 0 ? { key: t, value: null } : { key: t.slice(0, eq), value: t.slice(eq + 1) };
    });
}

function bad(flag: string, text: string, why: string): VirtkitError {
  return new VirtkitError('INVALID_ARGUMENT', `--${flag} ${JSON.stringify(text)}: ${why}`, { details: { flag, value: text } });
}
