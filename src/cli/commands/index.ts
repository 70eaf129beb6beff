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
const SECRET = 'Secret (help keyword \'secret\')';

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
  'attach-device': { group: DOMAIN, summary: 'attach device from an XML file', load: () => import('./attach-device.js') },
  'attach-disk': { group: DOMAIN, summary: 'attach disk device', load: () => import('./attach-disk.js') },
  'detach-device': { group: DOMAIN, summary: 'detach device from an XML file', load: () => import('./detach-device.js') },
  'detach-disk': { group: DOMAIN, summary: 'detach disk device', load: () => import('./detach-disk.js') },
  'change-media': { group: DOMAIN, summary: 'Change media of CD or floppy drive', load: () => import('./change-media.js') },
  blockresize: { group: DOMAIN, summary: 'Resize block device of domain.', load: () => import('./blockresize.js') },
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
  domblkinfo: { group: MONITOR, summary: 'domain block device size information', load: () => import('./domblkinfo.js') },
  domblkstat: { group: MONITOR, summary: 'get device block stats for a domain', load: () => import('./domblkstat.js') },
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
  'pool-capabilities': { group: POOL, summary: 'storage pool capabilities', load: () => import('./pool-capabilities.js') },
  'pool-autostart': { group: POOL, summary: 'autostart a pool', load: () => import('./pool-autostart.js') },
  'pool-build': { group: POOL, summary: 'build a pool', load: () => import('./pool-build.js') },
  'pool-create-as': { group: POOL, summary: 'create a pool from a set of args', load: () => import('./pool-create-as.js') },
  'pool-create': { group: POOL, summary: 'create a pool from an XML file', load: () => import('./pool-create.js') },
  'pool-define-as': { group: POOL, summary: 'define a pool from a set of args', load: () => import('./pool-define-as.js') },
  'pool-define': { group: POOL, summary: 'define an inactive persistent storage pool or modify an existing persistent one from an XML file', load: () => import('./pool-define.js') },
  'pool-delete': { group: POOL, summary: 'delete a pool', load: () => import('./pool-delete.js') },
  'pool-destroy': { group: POOL, summary: 'destroy (stop) a pool', load: () => import('./pool-destroy.js') },
  'pool-edit': { group: POOL, summary: 'edit XML configuration for a storage pool', load: () => import('./pool-edit.js') },
  'pool-dumpxml': { group: POOL, summary: 'pool information in XML', load: () => import('./pool-dumpxml.js') },
  'pool-info': { group: POOL, summary: 'storage pool information', load: () => import('./pool-info.js') },
  'pool-list': { group: POOL, summary: 'list pools', load: () => import('./pool-list.js') },
  'pool-name': { group: POOL, summary: 'convert a pool UUID to pool name', load: () => import('./pool-name.js') },
  'pool-refresh': { group: POOL, summary: 'refresh a pool', load: () => import('./pool-refresh.js') },
  'pool-start': { group: POOL, summary: 'start a (previously defined) inactive pool', load: () => import('./pool-start.js') },
  'pool-undefine': { group: POOL, summary: 'undefine an inactive pool', load: () => import('./pool-undefine.js') },
  'pool-uuid': { group: POOL, summary: 'convert a pool name to pool UUID', load: () => import('./pool-uuid.js') },
  'vol-clone': { group: VOLUME, summary: 'clone a volume.', load: () => import('./vol-clone.js') },
  'vol-create': { group: VOLUME, summary: 'create a vol from an XML file', load: () => import('./vol-create.js') },
  'vol-create-from': { group: VOLUME, summary: 'create a vol, using another volume as input', load: () => import('./vol-create-from.js') },
  'vol-create-as': { group: VOLUME, summary: 'create a volume from a set of args', load: () => import('./vol-create-as.js') },
  'vol-delete': { group: VOLUME, summary: 'delete a vol', load: () => import('./vol-delete.js') },
  'vol-download': { group: VOLUME, summary: 'download volume contents to a file', load: () => import('./vol-download.js') },
  'vol-dumpxml': { group: VOLUME, summary: 'vol information in XML', load: () => import('./vol-dumpxml.js') },
  'vol-import': { group: VOLUME, summary: 'convert an image file (raw, qcow2, vmdk, vdi...) into a pool volume', load: () => import('./vol-import.js') },
  'vol-info': { group: VOLUME, summary: 'storage vol information', load: () => import('./vol-info.js') },
  'vol-key': { group: VOLUME, summary: 'returns the volume key for a given volume name or path', load: () => import('./vol-key.js') },
  'vol-list': { group: VOLUME, summary: 'list vols', load: () => import('./vol-list.js') },
  'vol-name': { group: VOLUME, summary: 'returns the volume name for a given volume key or path', load: () => import('./vol-name.js') },
  'vol-path': { group: VOLUME, summary: 'returns the volume path for a given volume name or key', load: () => import('./vol-path.js') },
  'vol-pool': { group: VOLUME, summary: 'returns the storage pool for a given volume key or path', load: () => import('./vol-pool.js') },
  'vol-resize': { group: VOLUME, summary: 'resize a vol', load: () => import('./vol-resize.js') },
  'vol-wipe': { group: VOLUME, summary: 'wipe a vol', load: () => import('./vol-wipe.js') },
  'vol-upload': { group: VOLUME, summary: 'upload file contents to a volume', load: () => import('./vol-upload.js') },
  help: { group: SELF, summary: 'print help', load: () => import('./help.js') },
  'secret-define': { group: SECRET, summary: 'define or modify a secret from an XML file', load: () => import('./secret-define.js') },
  'secret-dumpxml': { group: SECRET, summary: 'secret attributes in XML', load: () => import('./secret-dumpxml.js') },
  'secret-get-value': { group: SECRET, summary: 'Output a secret value', load: () => import('./secret-get-value.js') },
  'secret-list': { group: SECRET, summary: 'list secrets', load: () => import('./secret-list.js') },
  'secret-set-value': { group: SECRET, summary: 'set a secret value', load: () => import('./secret-set-value.js') },
  'secret-undefine': { group: SECRET, summary: 'undefine a secret', load: () => import('./secret-undefine.js') },
};
