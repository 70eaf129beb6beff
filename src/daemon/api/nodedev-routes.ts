/**
 * The host device REST routes: /v1/nodedevs (nodedev-list) and /v1/nodedevs/{name}/{xml,
 * detach,reattach,reset}. {name} is libvirt's node device name (pci_0000_03_00_0) or, for the
 * PCI actions, the sysfs address (0000:03:00.0).
 */
import type { ErrorCode } from '../../core/errors.js';
import type { BindResult } from '../../host/pci/bind.js';
import type { QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const one = '/v1/nodedevs/{name}';
const name = (params: Readonly<Record<string, string>>): string => params['name'] ?? '';
const bound = (r: BindResult) => ({ ...r, writes: [...r.writes] });
const NoQuery = {} as const satisfies QuerySpec;
const CapQuery = { cap: { kind: 'csv', values: ['pci', 'net', 'usb_device'], description: 'Only devices with these capabilities' } } as const satisfies QuerySpec;
const lookup: ErrorCode[] = ['INVALID_ARGUMENT', 'NODEDEV_NOT_FOUND'];
const change: ErrorCode[] = [...lookup, 'OPERATION_INVALID', 'NODEDEV_FAILED'];

export const nodedevRoutes: Route[] = [
  route({
    method: 'GET', path: '/v1/nodedevs', operationId: 'listNodedevs', tag: 'host',
    summary: 'Host devices (PCI devices, the network interfaces on them, USB devices), sorted by name',
    query: CapQuery,
    response: 'NodedevList', errors: [],
    handle: async ({ query, engine }) => ({
      body: { devices: await engine.dispatch({ kind: 'nodedevList', ...(query.cap === undefined ? {} : { caps: query.cap }) }) },
    }),
  }),
  route({
    method: 'GET', path: `${one}/xml`, operationId: 'getNodedevXml', tag: 'host', summary: "libvirt's node device XML",
    query: NoQuery, response: 'XmlDocument', errors: lookup,
    handle: async ({ params, engine }) => ({ body: { xml: await engine.dispatch({ kind: 'nodedevXml', name: name(params) }) } }),
  }),
  route({
    method: 'POST', path: `${one}/detach`, operationId: 'detachNodedev', tag: 'host',
    summary: 'Bind a PCI device to vfio-pci (driver_override, unbind, drivers_probe)',
    description: 'Refused (IOMMU_GROUP_BUSY, nothing written) when another device of its IOMMU group is bound to a host driver; HOST_UNSUPPORTED without vfio-pci.',
    query: NoQuery, response: 'NodedevBindResult', errors: [...change, 'IOMMU_GROUP_BUSY', 'HOST_UNSUPPORTED'],
    handle: async ({ params, engine }) => ({ body: bound(await engine.dispatch({ kind: 'nodedevDetach', name: name(params) })) }),
  }),
  route({
    method: 'POST', path: `${one}/reattach`, operationId: 'reattachNodedev', tag: 'host',
    summary: 'Give a PCI device back to its host driver (clear driver_override, unbind from vfio-pci, drivers_probe)',
    query: NoQuery, response: 'NodedevBindResult', errors: change,
    handle: async ({ params, engine }) => ({ body: bound(await engine.dispatch({ kind: 'nodedevReattach', name: name(params) })) }),
  }),
  route({
    method: 'POST', path: `${one}/reset`, operationId: 'resetNodedev', tag: 'host',
    summary: "Reset a detached PCI device through its sysfs 'reset' file",
    query: NoQuery, response: 'NodedevBindResult', errors: change,
    handle: async ({ params, engine }) => ({ body: bound(await engine.dispatch({ kind: 'nodedevReset', name: name(params) })) }),
  }),
];
