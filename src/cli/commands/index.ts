/**
 * Every command, its group and one-line summary (for `help`, without loading
 * the commands); each command's code loads only when it runs.
 */
import type { Command } from '../framework.js';

export interface CommandEntry {
  readonly group: string;
  readonly summary: string;
  readonly load: () => Promise<{ default: Command }>;
}

const DOMAIN = 'Domain Management (help keyword \'domain\')';
const MONITOR = 'Domain Monitoring (help keyword \'monitor\')';
const HOST = 'Host and Hypervisor (help keyword \'host\')';
const SELF = 'Virsh itself (help keyword \'virsh\')';

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  autostart: { group: DOMAIN, summary: 'autostart a domain', load: () => import('./autostart.js') },
  console: { group: DOMAIN, summary: 'connect to the guest console', load: () => import('./console.js') },
  create: { group: DOMAIN, summary: 'create a domain from an XML file', load: () => import('./create.js') },
  define: { group: DOMAIN, summary: 'define (but don\'t start) a domain from an XML file', load: () => import('./define.js') },
  destroy: { group: DOMAIN, summary: 'destroy (stop) a domain', load: () => import('./destroy.js') },
  domid: { group: DOMAIN, summary: 'convert a domain name or UUID to domain id', load: () => import('./domid.js') },
  domname: { group: DOMAIN, summary: 'convert a domain id or UUID to domain name', load: () => import('./domname.js') },
  domuuid: { group: DOMAIN, summary: 'convert a domain name or id to domain UUID', load: () => import('./domuuid.js') },
  'domxml-to-native': { group: DOMAIN, summary: 'Convert domain XML to native guest configuration format', load: () => import('./domxml-to-native.js') },
  dumpxml: { group: DOMAIN, summary: 'domain information in XML', load: () => import('./dumpxml.js') },
  edit: { group: DOMAIN, summary: 'edit XML configuration for a domain', load: () => import('./edit.js') },
  reboot: { group: DOMAIN, summary: 'reboot a domain', load: () => import('./reboot.js') },
  reset: { group: DOMAIN, summary: 'reset a domain', load: () => import('./reset.js') },
  resume: { group: DOMAIN, summary: 'resume a domain', load: () => import('./resume.js') },
  setmem: { group: DOMAIN, summary: 'change memory allocation', load: () => import('./setmem.js') },
  setmaxmem: { group: DOMAIN, summary: 'change maximum memory limit', load: () => import('./setmaxmem.js') },
  setvcpus: { group: DOMAIN, summary: 'change number of virtual CPUs', load: () => import('./setvcpus.js') },
  shutdown: { group: DOMAIN, summary: 'gracefully shutdown a domain', load: () => import('./shutdown.js') },
  start: { group: DOMAIN, summary: 'start a (previously defined) inactive domain', load: () => import('./start.js') },
  suspend: { group: DOMAIN, summary: 'suspend a domain', load: () => import('./suspend.js') },
  undefine: { group: DOMAIN, summary: 'undefine a domain', load: () => import('./undefine.js') },
  validate: { group: DOMAIN, summary: 'validate a domain XML file, listing every problem', load: () => import('./validate.js') },
  vcpucount: { group: DOMAIN, summary: 'domain vcpu counts', load: () => import('./vcpucount.js') },
  vcpuinfo: { group: DOMAIN, summary: 'detailed domain vcpu information', load: () => import('./vcpuinfo.js') },
  domblklist: { group: MONITOR, summary: 'list all domain blocks', load: () => import('./domblklist.js') },
  domiflist: { group: MONITOR, summary: 'list all domain virtual interfaces', load: () => import('./domiflist.js') },
  dominfo: { group: MONITOR, summary: 'domain information', load: () => import('./dominfo.js') },
  domstate: { group: MONITOR, summary: 'domain state', load: () => import('./domstate.js') },
  domstats: { group: MONITOR, summary: 'get statistics about one or multiple domains', load: () => import('./domstats.js') },
  list: { group: MONITOR, summary: 'list domains', load: () => import('./list.js') },
  event: { group: MONITOR, summary: 'Domain Events', load: () => import('./event.js') },
  capabilities: { group: HOST, summary: 'capabilities', load: () => import('./capabilities.js') },
  domcapabilities: { group: HOST, summary: 'domain capabilities', load: () => import('./domcapabilities.js') },
  hostname: { group: HOST, summary: 'print the hypervisor hostname', load: () => import('./hostname.js') },
  nodeinfo: { group: HOST, summary: 'node information', load: () => import('./nodeinfo.js') },
  uri: { group: HOST, summary: 'print the hypervisor canonical URI', load: () => import('./uri.js') },
  version: { group: HOST, summary: 'show version', load: () => import('./version.js') },
  help: { group: SELF, summary: 'print help', load: () => import('./help.js') },
};
