/** The guest agent's channel in a domain definition (libvirt's name for QEMU's guest agent port). */
import type { DomainDef } from '../../xml/domain/index.js';

export const AGENT_CHANNEL_NAME = 'org.qemu.guest_agent.0';

/** The definition has a guest agent channel (usable or not). */
export function hasAgentChannel(def: DomainDef): boolean {
  return (def.devices?.channel ?? []).some((c) => c.target?.name === AGENT_CHANNEL_NAME);
}
