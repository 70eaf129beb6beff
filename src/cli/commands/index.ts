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
const POOL = 'Storage Pool (help keyword \'pool\')';
const VOLUME = 'Storage Volume (help keyword \'volume\')';
const SNAPSHOT = 'Snapshot (help keyword \'snapshot\')';

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
  'pool-autostart': { group: POOL, summary: 'autostart a pool', load: () => import('./pool-autostart.js') },
  'pool-build': { group: POOL, summary: 'build a pool', load: () => import('./pool-build.js') },
  'pool-create-as': { group: POOL, summary: 'create a pool from a set of args', load: () => import('./pool-create-as.js') },
  'pool-create': { group: POOL, summary: 'create a pool from an XML file', load: () => import('./pool-create.js') },
  'pool-define-as': { group: POOL, summary: 'define a pool from a set of args', load: () => import('./pool-define-as.js') },
  'pool-define': { group: POOL, summary: 'define an inactive persistent storage pool or modify an existing persistent one from an XML file', load: () => import('./pool-define.js') },
  'pool-delete': { group: POOL, summary: 'delete a pool', load: () => import('./pool-delete.js') },
  'pool-destroy': { group: POOL, summary: 'destroy (stop) a pool', load: () => import('./pool-destroy.js') },
  'pool-dumpxml': { group: POOL, summary: 'pool information in XML', load: () => import('./pool-dumpxml.js') },
  'pool-info': { group: POOL, summary: 'storage pool information', load: () => import('./pool-info.js') },
  'pool-list': { group: POOL, summary: 'list pools', load: () => import('./pool-list.js') },
  'pool-name': { group: POOL, summary: 'convert a pool UUID to pool name', load: () => import('./pool-name.js') },
  'pool-refresh': { group: POOL, summary: 'refresh a pool', load: () => import('./pool-refresh.js') },
  'pool-start': { group: POOL, summary: 'start a (previously defined) inactive pool', load: () => import('./pool-start.js') },
  'pool-undefine': { group: POOL, summary: 'undefine an inactive pool', load: () => import('./pool-undefine.js') },
  'pool-uuid': { group: POOL, summary: 'convert a pool name to pool UUID', load: () => import('./pool-uuid.js') },
  'vol-create-as': { group: VOLUME, summary: 'create a volume from a set of args', load: () => import('./vol-create-as.js') },
  'vol-delete': { group: VOLUME, summary: 'delete a vol', load: () => import('./vol-delete.js') },
  'vol-dumpxml': { group: VOLUME, summary: 'vol information in XML', load: () => import('./vol-dumpxml.js') },
  'vol-info': { group: VOLUME, summary: 'storage vol information', load: () => import('./vol-info.js') },
  'vol-key': { group: VOLUME, summary: 'returns the volume key for a given volume name or path', load: () => import('./vol-key.js') },
  'vol-list': { group: VOLUME, summary: 'list vols', load: () => import('./vol-list.js') },
  'vol-name': { group: VOLUME, summary: 'returns the volume name for a given volume key or path', load: () => import('./vol-name.js') },
  'vol-path': { group: VOLUME, summary: 'returns the volume path for a given volume name or key', load: () => import('./vol-path.js') },
  'vol-pool': { group: VOLUME, summary: 'returns the storage pool for a given volume key or path', load: () => import('./vol-pool.js') },
  'snapshot-create': { group: SNAPSHOT, summary: 'Create a snapshot from XML', load: () => import('./snapshot-create.js') },
  'snapshot-create-as': { group: SNAPSHOT, summary: 'Create a snapshot from a set of args', load: () => import('./snapshot-create-as.js') },
  'snapshot-current': { group: SNAPSHOT, summary: 'Get or set the current snapshot', load: () => import('./snapshot-current.js') },
  'snapshot-delete': { group: SNAPSHOT, summary: 'Delete a domain snapshot', load: () => import('./snapshot-delete.js') },
  'snapshot-dumpxml': { group: SNAPSHOT, summary: 'Dump XML for a domain snapshot', load: () => import('./snapshot-dumpxml.js') },
  'snapshot-info': { group: SNAPSHOT, summary: 'snapshot information', load: () => import('./snapshot-info.js') },
  'snapshot-list': { group: SNAPSHOT, summary: 'List snapshots for a domain', load: () => import('./snapshot-list.js') },
  'snapshot-parent': { group: SNAPSHOT, summary: 'Get the name of the parent of a snapshot', load: () => import('./snapshot-parent.js') },
  'snapshot-revert': { group: SNAPSHOT, summary: 'Revert a domain to a snapshot', load: () => import('./snapshot-revert.js') },
  blockcommit: { group: DOMAIN, summary: 'Start a block commit operation.', load: () => import('./blockcommit.js') },
  blockjob: { group: DOMAIN, summary: 'Manage active block operations', load: () => import('./blockjob.js') },
  blockpull: { group: DOMAIN, summary: 'Populate a disk from its backing image.', load: () => import('./blockpull.js') },
  help: { group: SELF, summary: 'print help', load: () => import('./help.js') },
};
