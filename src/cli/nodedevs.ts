/**
 * What the nodedev commands share: the <device> argument and virsh's capability names for
 * `--cap`; their failure lines ("Failed to detach device X" + why) are framework's onFailure.
 */
import type { NodedevCap } from '../client/types.js';
import { CliError, type ArgSpec } from './framework.js';

export const DEVICE_ARG = { name: 'device', help: 'device name or wwn pair in \'wwnn,wwpn\' format', required: true } as const satisfies ArgSpec;

/** libvirt's capability names (virNodeDevCapType); virtkit has devices of three of them. */
const LIBVIRT_CAPS = new Set(['system', 'pci', 'usb_device', 'usb', 'net', 'scsi_host', 'scsi_target', 'scsi', 'storage', 'fc_host', 'vports',
  'scsi_generic', 'drm', 'mdev_types', 'mdev', 'ccw', 'css', 'vdpa', 'ap_card', 'ap_queue', 'ap_matrix', 'vpd']);

/** `--cap a,b` as the kinds virtkit lists; an unknown name is virsh's error. */
export function parseCaps(text: string | undefined): NodedevCap[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) if (!LIBVIRT_CAPS.has(n)) throw new CliError([`Invalid capability type '${n}'`]);
  const ours = names.filter((n): n is NodedevCap => n === 'pci' || n === 'net' || n === 'usb_device');
  // Only capabilities virtkit has no devices of: nothing matches (not "everything").
  return ours.length === 0 ? [] : ours;
}
