/**
 * What the secret commands share: the <secret> argument and virsh's lookup failure
 * ("failed to get secret 'X'"). Values are read here from a file or the terminal and sent
 * base64 in the request body; nothing prints or logs one except secret-get-value.
 */
import { asVirtkitError } from '../core/errors.js';
import { CliError, type ArgSpec } from './framework.js';

export const SECRET_ARG = { name: 'secret', help: 'secret UUID', required: true } as const satisfies ArgSpec;

/** Runs `fn`; an unknown secret reads as virsh's lookup failure, anything else as `failure` + why. */
export async function onSecret<T>(uuid: string | undefined, failure: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = asVirtkitError(e);
    if (err.code === 'DAEMON_UNREACHABLE') throw err;
    if (err.code === 'SECRET_NOT_FOUND' && uuid !== undefined) throw new CliError([`failed to get secret '${uuid}'`, err.message], err);
    throw new CliError(failure === undefined ? [err.message] : [failure, err.message], err);
  }
}

/** One line from the terminal, not echoed (virsh's virGetPassword); undefined without a terminal. */
export async function readHidden(stdin: NodeJS.ReadStream | undefined, prompt: (t: string) => void): Promise<string | undefined> {
  if (stdin === undefined) return undefined;
  prompt('Enter new value for secret:');
  const raw = stdin.isTTY ? stdin.setRawMode(true) : undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer | string): void => {
        text += chunk.toString();
        // Enter, or ctrl-D in raw mode.
        // eslint-disable-next-line no-control-regex
        const end = text.search(/[\r\n\u0004]/);
        if (end < 0) return;
        stdin.off('data', onData);
        stdin.off('error', reject);
        stdin.pause();
        resolve(text.slice(0, end));
      };
      stdin.on('data', onData);
      stdin.on('error', reject);
      stdin.resume();
    });
  } finally {
    if (raw) stdin.setRawMode(false);
  }
}
