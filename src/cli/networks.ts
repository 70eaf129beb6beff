/**
 * What the net-* commands share: the <network> argument, virsh's lookup failure
 * ("failed to get network 'X'"), and one-action commands printing virsh's line.
 */
import type { VirtkitClient } from '../client/client.js';
import type { NetworkInfo } from '../client/types.js';
import { asVirtkitError } from '../core/errors.js';
import { CliError, command, type ArgSpec, type Command } from './framework.js';

export const NETWORK_ARG = { name: 'network', help: 'network name or uuid', required: true } as const satisfies ArgSpec;

/** Runs `fn`; an unknown network reads as virsh's lookup failure, anything else as `failure` + why. */
export async function onNetwork<T>(network: string | undefined, failure: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = asVirtkitError(e);
    if (err.code === 'DAEMON_UNREACHABLE') throw err;
    if (err.code === 'NETWORK_NOT_FOUND') throw new CliError([`failed to get network '${network ?? ''}'`, err.message], err);
    throw new CliError(failure === undefined ? [err.message] : [failure, err.message], err);
  }
}

/** A command that runs one network action and prints virsh's one line: `Network NAME <done>`. */
export function networkVerb(name: string, summary: string, done: string,
  act: (client: VirtkitClient, network: string) => Promise<NetworkInfo>, failure: string): Command {
  return command({
    name, summary, args: [NETWORK_ARG], options: {},
    async run(ctx, { network }) {
      const n = await onNetwork(network, `${failure} ${network}`, () => act(ctx.client(), network));
      if (ctx.json) return ctx.printJson(n);
      ctx.print(`Network ${network} ${done}`);
    },
  });
}
