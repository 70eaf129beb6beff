/**
 * <virtkit:link>: virtkit's own extension to network XML (namespace
 * https://virtkit.dev/xmlns/network/1): a veth pair that joins this network's
 * bridge to another virtkit network's bridge, or to a named network namespace.
 *
 *   <network xmlns:virtkit='https://virtkit.dev/xmlns/network/1'>
 *     ...
 *     <virtkit:link dev='vk-a-b'>
 *       <virtkit:peer network='other'/>
 *     </virtkit:link>
 *     <virtkit:link dev='vk-a-ns'>
 *       <virtkit:peer netns='blue' dev='eth1'/>
 *       <virtkit:ip address='192.168.100.50' prefix='24'/>
 *       <virtkit:route address='0.0.0.0' prefix='0' gateway='192.168.100.1'/>
 *     </virtkit:link>
 *   </network>
 *
 * dev= names this end (on the network's bridge); the peer end goes into the
 * other network's bridge, or into the namespace (renamed to the peer's dev=).
 * <virtkit:ip> and <virtkit:route> configure the namespace end only. It is
 * formatted back exactly as parsed; libvirt ignores other namespaces' elements.
 */
import type { Model } from '../schema.js';
import { attr, elem, many, one, req } from '../schema.js';
import { token, uint } from '../values.js';
import { ipType as addr } from './address.js';

export const linkSpec = elem({
  attrs: { dev: attr(token), xmlns: attr(token, 'xmlns:virtkit') },
  children: {
    peer: one(elem({ attrs: { network: attr(token), netns: attr(token), dev: attr(token) } }), 'virtkit:peer'),
    ip: many(elem({ attrs: { address: req(addr), prefix: req(uint) } }), 'virtkit:ip'),
    route: many(elem({ attrs: { address: req(addr), prefix: req(uint), gateway: req(addr) } }), 'virtkit:route'),
  },
  note: 'a <virtkit:link> holds <virtkit:peer>, <virtkit:ip> and <virtkit:route>',
});
export type LinkDef = Model<typeof linkSpec>;
