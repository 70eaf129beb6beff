import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeTopology } from '../../../tests/helpers/fake-sysfs.js';
import { isVirtkitError } from '../errors.js';
import { formatFreecell, formatFreepages, formatNodeCpumap, type HostNodeReport } from './node-report.js';

const GiB = 1024 * 1024;
const topology = fakeTopology({
  nodes: 2, cores: 2, threads: 2, memFreeKiB: 3 * GiB,
  hugepages: [{ sizeKiB: 2048, total: 512, free: 500 }],
  node: { 1: { memFreeKiB: 5 * GiB, hugepages: [{ sizeKiB: 2048, total: 8, free: 1 }, { sizeKiB: 1048576, total: 2, free: 2 }] } },
});
const report: HostNodeReport = { topology, pageKiB: 4, presentCpus: [0, 1, 2, 3, 4, 5, 6, 7] };
const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && re.test(e.message));

test('freecell: the total, one cell, every cell (virsh 9.0 layout)', () => {
  assert.equal(formatFreecell(report, {}), 'Total: 8388608 KiB');
  assert.equal(formatFreecell(report, { cellno: 1 }), '1: 5242880 KiB');
  assert.equal(formatFreecell(report, { all: true }), [
    '    0:    3145728 KiB',
    '    1:    5242880 KiB',
    '--------------------',
    'Total:    8388608 KiB',
  ].join('\n'));
  refused(() => formatFreecell(report, { cellno: 2 }), /NUMA cell 2 does not exist \(this host has cells 0, 1\)/);
});

test('freepages: every cell and size with --all, one cell and size otherwise', () => {
  assert.equal(formatFreepages(report, { all: true }), [
    'Node 0:', '4KiB: 786432', '2048KiB: 500', '1048576KiB: 0', '',
    'Node 1:', '4KiB: 1310720', '2048KiB: 1', '1048576KiB: 2', '',
  ].join('\n'));
  assert.equal(formatFreepages(report, { all: true, pagesizeKiB: 2048 }), 'Node 0:\n2048KiB: 500\n\nNode 1:\n2048KiB: 1\n');
  assert.equal(formatFreepages(report, { cellno: 1, pagesizeKiB: 1048576 }), '1048576KiB: 2');
  assert.equal(formatFreepages(report, { cellno: 0, pagesizeKiB: 4 }), '4KiB: 786432');
  refused(() => formatFreepages(report, { cellno: 0 }), /^missing pagesize argument$/);
  refused(() => formatFreepages(report, { pagesizeKiB: 4 }), /^missing cellno argument$/);
  refused(() => formatFreepages(report, { cellno: 0, pagesizeKiB: 64 }), /page size 64KiB is not supported by this host \(sizes: 4KiB, 2048KiB, 1048576KiB\)/);
});

test('nodecpumap: present, online, the map (an offline CPU is -), --pretty as a list', () => {
  const offline = { ...report, topology: { ...topology, cpus: topology.cpus.filter((c) => c.id !== 5) } };
  assert.equal(formatNodeCpumap(offline, false), 'CPUs present:   8\nCPUs online:    7\nCPU map:        yyyyy-yy');
  assert.equal(formatNodeCpumap(offline, true), 'CPUs present:   8\nCPUs online:    7\nCPU map:        0-4,6-7');
});
