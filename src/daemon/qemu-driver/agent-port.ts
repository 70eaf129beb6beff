/**
 * The guest agent of one running QEMU: where its channel's socket is, whether the guest has its
 * end of the port open (query-chardev's frontend-open once, then VSERPORT_CHANGE events, as
 * libvirt tracks it), the live XML's <target state='connected|disconnected'/>, and the client
 * (guest-agent.ts) that commands go through.
 */
import { VirtkitError } from '../../core/errors.js';
import { AGENT_CHANNEL_NAME, hasAgentChannel } from '../../core/qemu/qga/channel.js';
import type { QmpChardevInfo } from '../../core/qemu/qmp/command-types.js';
import type { DomainDef as CoreDomainDef } from '../../core/xml/domain/index.js';
import type { DomainDef } from '../domain-xml.js';
import type { DomainAgent } from '../driver.js';
import type { AgentCommandOptions } from './guest-agent.js';
import { GuestAgent } from './guest-agent.js';
import type { Monitor } from './monitor.js';

export { AGENT_CHANNEL_NAME, hasAgentChannel };

/** The agent channel of a prepared definition: its alias and socket path, or why there is none to use. */
export function agentChannel(def: CoreDomainDef, runDir: string): { alias: string; path: string } | string {
  const c = (def.devices?.channel ?? []).find((x) => x.target?.name === AGENT_CHANNEL_NAME);
  if (c === undefined) {
    return `the domain has no guest agent channel (<channel type='unix'><target type='virtio' name='${AGENT_CHANNEL_NAME}'/></channel>)`;
  }
  if ((c.type ?? 'pty') !== 'unix' || (c.source?.[0]?.mode ?? 'bind') !== 'bind') {
    return `the guest agent channel is not a unix socket QEMU listens on (type='unix', <source mode='bind'>)`;
  }
  const alias = c.alias?.name;
  if (alias === undefined) return 'the guest agent channel has no alias';
  return { alias, path: c.source?.[0]?.path ?? `${runDir}/${AGENT_CHANNEL_NAME}` };
}

export interface AgentPortParts {
  readonly monitor: Monitor;
  readonly def: CoreDomainDef;
  readonly runDir: string;
  readonly warn: (message: string) => void;
}

export class AgentPort implements DomainAgent {
  /** The domain has a guest agent channel (org.qemu.guest_agent.0). */
  readonly hasChannel: boolean;
  readonly #why: string | undefined;
  readonly #client: GuestAgent | undefined;
  #alias: string | undefined;
  /** Whether the guest has its end of the port open: undefined until query-chardev or an event says. */
  #state: 'connected' | 'disconnected' | undefined;
  /** The first query-chardev, answered (or failed). */
  #queried: Promise<void> = Promise.resolve();

  constructor(private readonly p: AgentPortParts) {
    this.hasChannel = hasAgentChannel(p.def);
    const ch = agentChannel(p.def, p.runDir);
    if (typeof ch === 'string') {
      this.#why = ch;
      return;
    }
    this.#alias = ch.alias;
    this.#client = new GuestAgent({
      path: ch.path,
      guestOpen: async () => {
        await this.#queried;
        return this.#state === 'connected';
      },
    });
    this.#queried = p.monitor.execute('query-chardev').then((list) => {
      const open = (list as QmpChardevInfo[]).find((c) => c.label === `char${ch.alias}`)?.['frontend-open'] === true;
      // An event that came first is newer than this answer.
      this.#state ??= open ? 'connected' : 'disconnected';
    }, (e: unknown) => {
      p.warn(`cannot ask QEMU whether the guest agent port is open: ${(e as Error).message}`);
    });
    p.monitor.onEvent((event, data) => {
      const d = data as { id?: unknown; open?: unknown } | undefined;
      if (event !== 'VSERPORT_CHANGE' || d?.id !== ch.alias) return;
      this.#state = d.open === true ? 'connected' : 'disconnected';
      this.#client?.portChanged();
    });
  }

  execute(execute: string, args?: Readonly<Record<string, unknown>>, opts?: AgentCommandOptions): Promise<unknown> {
    if (this.#client === undefined) return Promise.reject(new VirtkitError('AGENT_UNAVAILABLE', `guest agent unavailable: ${this.#why ?? ''}`));
    return this.#client.execute(execute, args, opts);
  }

  close(): void {
    this.#client?.close();
  }

  withPortState(def: DomainDef): DomainDef {
    const channels = def.devices?.channel;
    const state = this.#state;
    if (channels === undefined || state === undefined) return def;
    const next = channels.map((c) => (c.alias?.name === this.#alias && c.target !== undefined ? { ...c, target: { ...c.target, state } } : c));
    return { ...def, devices: { ...def.devices, channel: next } } as DomainDef;
  }
}
