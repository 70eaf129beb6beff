/**
 * Rules for a USB host device's <source> (libvirt's virDomainHostdevSubsysUSBDefParseXML and
 * virDomainHostdevDefValidate): <vendor> and <product> come together, an <address> has both bus
 * and device, and one of the two forms is given; startupPolicy is for USB devices only.
 */
import { VirtkitError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import type { DomainDef } from './schema/domain.js';

const problem = (code: ErrorCode, path: string, message: string): VirtkitError =>
  new VirtkitError(code, `${path}: ${message}`, { details: { path } });

export function checkHostdevs(def: DomainDef, out: VirtkitError[]): void {
  const list = def.devices?.hostdev ?? [];
  list.forEach((h, i) => {
    const path = list.length > 1 ? `/domain/devices/hostdev[${i + 1}]` : '/domain/devices/hostdev';
    const s = h.source;
    if (h.type !== 'usb') {
      if (s?.startupPolicy !== undefined) out.push(problem('XML_CONFLICT', `${path}/source/@startupPolicy`, 'startupPolicy is only allowed for USB devices'));
      return;
    }
    const ids = s?.vendor !== undefined || s?.product !== undefined;
    if (s?.vendor !== undefined && s.product === undefined) out.push(problem('XML_MISSING', `${path}/source/product`, 'a USB <vendor id=.../> needs a <product id=.../>'));
    if (s?.product !== undefined && s.vendor === undefined) out.push(problem('XML_MISSING', `${path}/source/vendor`, 'a USB <product id=.../> needs a <vendor id=.../>'));
    const a = s?.address;
    if (a !== undefined) {
      if (a.type !== undefined || a.domain !== undefined || a.slot !== undefined || a.function !== undefined) {
        out.push(problem('XML_INVALID_VALUE', `${path}/source/address`, "a USB host device's address takes only bus= and device="));
      }
      if (a.bus === undefined) out.push(problem('XML_MISSING', `${path}/source/address/@bus`, 'a USB address needs the bus number'));
      if (a.device === undefined) out.push(problem('XML_MISSING', `${path}/source/address/@device`, 'a USB address needs the device number'));
    }
    if (!ids && a === undefined) out.push(problem('XML_MISSING', `${path}/source`, 'a USB host device needs <vendor id=.../><product id=.../>, <address bus=... device=.../>, or both'));
  });
}
