/** What commands about one domain share: the <domain> argument and virsh's two-line failures. */
import { asVirtkitError } from '../core/errors.js';
import { CliError, type ArgSpec } from './framework.js';

export const DOMAIN_ARG = { name: 'domain', help: 'domain name, id or uuid', required: true } as const satisfies ArgSpec;
export const FILE_ARG = { name: 'file', help: 'file containing an XML domain description', required: true } as const satisfies ArgSpec;

/**
 * Runs `fn`; on failure says what failed (`failure`, e.g. "Failed to start
 * domain 'vm1'") and then why, as virsh does. An unknown domain reads
 * "failed to get domain 'X'", as virsh's lookup says it.
 */
export async function onDomain<T>(ref: string, failure: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = asVirtkitError(e);
    if (err.code === 'DAEMON_UNREACHABLE') throw err;
    if (err.code === 'DOMAIN_NOT_FOUND') throw new CliError([`failed to get domain '${ref}'`, err.message], err);
    throw new CliError(failure === undefined ? [err.message] : [failure, err.message], err);
  }
}
