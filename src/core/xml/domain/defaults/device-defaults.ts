/**
 * Per-device defaults of the QEMU driver's device post-parse
 * (qemuDomainDeviceDefPostParse), for the settings the schema models:
 *   disk       <driver name='qemu' type='raw'> unless written (not for volumes)
 *   interface  model rtl8139 (the first of rtl8139, e1000, virtio QEMU has)
 *   input      bus ps2 for mouse/keyboard, usb for tablet (x86)
 *   vsock      model virtio
 *   tpm        model tpm-tis; an emulator backend defaults to TPM 1.2 with tpm-tis
 *   hostdev    an mdev gets display='off'
 */
import type { DomainDef } from './types.js';
import { devicesOf } from './types.js';

export function deviceDefaults(def: DomainDef): void {
  const d = devicesOf(def);
  for (const disk of d.disk ?? []) {
    if (disk.type === 'volume') continue;
    const drv = (disk.driver ??= {});
    drv.name ??= 'qemu';
    drv.type ??= 'raw';
  }
  for (const n of d.interface ?? []) {
    if (!n.model && n.type !== 'hostdev') n.model = { type: n.type === 'vhostuser' || n.type === 'vdpa' ? 'virtio' : 'rtl8139' };
  }
  for (const i of d.input ?? []) {
    if (i.bus !== undefined) continue;
    if (i.type === 'mouse' || i.type === 'keyboard') i.bus = 'ps2';
    else if (i.type === 'tablet') i.bus = 'usb';
    else if (i.type === 'passthrough') i.bus = 'virtio';
  }
  if (d.vsock) d.vsock.model ??= 'virtio';
  for (const t of d.tpm ?? []) {
    t.model ??= 'tpm-tis';
    if (t.backend?.type === 'emulator') t.backend.version ??= t.model === 'tpm-tis' ? '1.2' : '2.0';
  }
  for (const h of d.hostdev ?? []) {
    if (h.type === 'mdev') h.display ??= false;
  }
}
