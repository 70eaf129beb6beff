/**
 * libvirt's text form of a command line (the `.args` files of its test suite
 * and `virsh domxml-to-native`): environment assignments first, one per line,
 * then the binary, then each option with its value on one line, joined by
 * " \\\n". An argument with shell metacharacters is single-quoted.
 * Used for `domxml-to-native` output and for golden files; never executed.
 */
import type { QemuArgv } from './types.js';

// The characters libvirt's virBufferEscapeShell quotes for.
const NEEDS_QUOTE = /[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/;

export function shellQuote(s: string): string {
  if (s !== '' && !NEEDS_QUOTE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function formatArgsText(argv: QemuArgv, envOrder?: readonly string[]): string {
  const lines: string[] = [];
  const keys = envOrder ?? Object.keys(argv.env);
  for (const k of keys) {
    const v = argv.env[k];
    if (v !== undefined) lines.push(`${k}=${shellQuote(v)}`);
  }
  let cur = shellQuote(argv.binary);
  for (const a of argv.args) {
    if (a.startsWith('-')) {
      lines.push(cur);
      cur = shellQuote(a);
    } else {
      cur += ' ' + shellQuote(a);
    }
  }
  lines.push(cur);
  return lines.join(' \\\n') + '\n';
}
