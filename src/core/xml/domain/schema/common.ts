/** Pieces shared by several device specs. */
import { attr, custom, elem, req } from '../../schema.js';
import type { ValueType } from '../../values.js';
import { oneOf, onOff, str, token, uint } from '../../values.js';

export const aliasSpec = elem({ attrs: { name: req(token) } });
export const bootSpec = elem({ attrs: { order: req(uint), loadparm: attr(token) } });
export const romSpec = elem({ attrs: { bar: attr(onOff), file: attr(str), enabled: attr(oneOf('yes', 'no')) } });
export const virtioDriverAttrs = {
  iommu: attr(onOff),
  ats: attr(onOff),
  packed: attr(onOff),
  page_per_vq: attr(onOff),
};

/** An integer kept as the user wrote it (decimal or hex), e.g. host device addresses. */
export const uintStr: ValueType<string> = {
  describe: 'an integer (decimal or 0x-hex)',
  parse: (s) => {
    uint.parse(s);
    return s.trim();
  },
  format: (v) => v,
};

/** <address> inside a host device <source>: PCI (domain/bus/slot/function) or USB (bus/device), no type. */
export const hostSourceAddressSpec = elem({
  attrs: {
    type: attr(oneOf('pci')),
    domain: attr(uintStr),
    bus: attr(uintStr),
    slot: attr(uintStr),
    function: attr(uintStr),
    device: attr(uintStr),
  },
});

export const emptySpec = elem({});

export { custom };
