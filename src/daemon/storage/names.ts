/**
 * Pool and volume names become file names (a pool's definition, a volume's
 * file in its pool): refuse, with INVALID_NAME, what a file name cannot carry
 * or what would leave the directory. A leading '.' is refused too: hidden
 * names are virtkit's temp files, removed at refresh.
 */
import { VirtkitError } from '../../core/errors.js';

const NAME_MAX_BYTES = 200;

export function nameProblem(name: string): string | undefined {
  return name === '' ? 'it is empty'
    : name.includes('/') ? "it contains '/'"
    : name.includes('..') ? "it contains '..'"
    : name.startsWith('.') ? "it starts with '.'"
    // eslint-disable-next-line no-control-regex
    : /[\u0000-\u001f\u007f]/.test(name) ? 'it contains a control character'
    : Buffer.byteLength(name) > NAME_MAX_BYTES ? `it is longer than ${NAME_MAX_BYTES} bytes`
    : undefined;
}

export function checkName(kind: 'pool' | 'volume', name: string): void {
  const why = nameProblem(name);
  if (why !== undefined) {
    throw new VirtkitError('INVALID_NAME', `invalid ${kind} name '${name}': ${why}; a ${kind} name must be a plain file name`, {
      details: { [kind]: name, reason: why },
    });
  }
}
